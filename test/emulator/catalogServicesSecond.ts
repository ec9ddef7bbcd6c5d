/**
 * Services of the generated built-in role catalog (L–W): the resource types each role family covers, shaped
 * like the real catalog (azure-docs role-based-access-control/built-in-roles.md; see catalog.ts).
 */
import type { ServiceSpec } from './catalog';

export const SERVICES_SECOND_HALF: readonly ServiceSpec[] = [
  {
    title: 'Lab Services',
    namespace: 'Microsoft.LabServices',
    types: ['labPlans', 'labs', 'labs/users', 'labs/virtualMachines'],
  },
  {
    title: 'Load Testing',
    namespace: 'Microsoft.LoadTestService',
    types: ['loadtests', 'loadtests/outboundNetworkDependenciesEndpoints'],
    data: ['loadtests/tests', 'loadtests/testruns'],
  },
  {
    title: 'Log Analytics',
    namespace: 'Microsoft.OperationalInsights',
    types: ['workspaces', 'workspaces/savedSearches', 'workspaces/tables', 'workspaces/dataSources', 'clusters'],
    data: ['workspaces/tables/data'],
  },
  {
    title: 'Logic App',
    namespace: 'Microsoft.Logic',
    types: ['workflows', 'workflows/runs', 'workflows/triggers', 'integrationAccounts'],
  },
  {
    title: 'Machine Learning',
    namespace: 'Microsoft.MachineLearningServices',
    types: ['workspaces', 'workspaces/computes', 'workspaces/datastores', 'workspaces/onlineEndpoints', 'registries'],
    data: ['workspaces/onlineEndpoints/score', 'workspaces/experiments/runs'],
  },
  {
    title: 'Managed Application',
    namespace: 'Microsoft.Solutions',
    types: ['applications', 'applicationDefinitions', 'jitRequests'],
  },
  {
    title: 'Managed Identity',
    namespace: 'Microsoft.ManagedIdentity',
    types: ['userAssignedIdentities', 'userAssignedIdentities/federatedIdentityCredentials'],
  },
  {
    title: 'Media Services',
    namespace: 'Microsoft.Media',
    types: ['mediaservices', 'mediaservices/assets', 'mediaservices/transforms', 'mediaservices/streamingEndpoints'],
  },
  {
    title: 'Monitoring',
    namespace: 'Microsoft.Insights',
    types: [
      'actionGroups',
      'activityLogAlerts',
      'metricAlerts',
      'scheduledQueryRules',
      'dataCollectionRules',
      'diagnosticSettings',
    ],
    data: ['metrics', 'telemetry'],
  },
  {
    title: 'MySQL Flexible Server',
    namespace: 'Microsoft.DBforMySQL',
    types: [
      'flexibleServers',
      'flexibleServers/databases',
      'flexibleServers/firewallRules',
      'flexibleServers/configurations',
    ],
  },
  {
    title: 'Network',
    namespace: 'Microsoft.Network',
    types: [
      'virtualNetworks',
      'virtualNetworks/subnets',
      'networkSecurityGroups',
      'publicIPAddresses',
      'loadBalancers',
      'networkInterfaces',
      'routeTables',
    ],
  },
  {
    title: 'Notification Hubs',
    namespace: 'Microsoft.NotificationHubs',
    types: ['namespaces', 'namespaces/notificationHubs', 'namespaces/authorizationRules'],
  },
  {
    title: 'PostgreSQL Flexible Server',
    namespace: 'Microsoft.DBforPostgreSQL',
    types: [
      'flexibleServers',
      'flexibleServers/databases',
      'flexibleServers/firewallRules',
      'flexibleServers/administrators',
    ],
  },
  { title: 'Power BI Embedded', namespace: 'Microsoft.PowerBIDedicated', types: ['capacities', 'autoScaleVCores'] },
  {
    title: 'Purview',
    namespace: 'Microsoft.Purview',
    types: ['accounts', 'accounts/privateEndpointConnections', 'accounts/kafkaConfigurations'],
    data: ['accounts/data/assets', 'accounts/scan/datasources'],
  },
  {
    title: 'Redis Cache',
    namespace: 'Microsoft.Cache',
    types: ['redis', 'redis/firewallRules', 'redis/patchSchedules', 'redisEnterprise'],
    data: ['redis/data'],
  },
  {
    title: 'Schema Registry',
    namespace: 'Microsoft.EventHub',
    types: ['namespaces/schemagroups'],
    data: ['namespaces/schemas'],
  },
  {
    title: 'Search Service',
    namespace: 'Microsoft.Search',
    types: ['searchServices', 'searchServices/sharedPrivateLinkResources'],
    data: ['searchServices/indexes/documents', 'searchServices/indexes'],
  },
  {
    title: 'Security',
    namespace: 'Microsoft.Security',
    types: ['assessments', 'alerts', 'pricings', 'securityContacts', 'workspaceSettings', 'policies'],
  },
  {
    title: 'Service Bus',
    namespace: 'Microsoft.ServiceBus',
    types: ['namespaces', 'namespaces/queues', 'namespaces/topics', 'namespaces/topics/subscriptions'],
    data: ['namespaces/messages'],
  },
  {
    title: 'Service Fabric',
    namespace: 'Microsoft.ServiceFabric',
    types: ['clusters', 'managedClusters', 'clusters/applications', 'managedClusters/nodeTypes'],
  },
  {
    title: 'SignalR',
    namespace: 'Microsoft.SignalRService',
    types: ['SignalR', 'WebPubSub', 'SignalR/replicas'],
    data: ['SignalR/hub', 'WebPubSub/group', 'WebPubSub/user'],
  },
  {
    title: 'Site Recovery',
    namespace: 'Microsoft.RecoveryServices',
    types: [
      'vaults/replicationFabrics',
      'vaults/replicationPolicies',
      'vaults/replicationJobs',
      'vaults/replicationRecoveryPlans',
    ],
  },
  {
    title: 'SQL Database',
    namespace: 'Microsoft.Sql',
    types: ['servers', 'servers/databases', 'servers/elasticPools', 'servers/firewallRules', 'managedInstances'],
  },
  {
    title: 'Stream Analytics',
    namespace: 'Microsoft.StreamAnalytics',
    types: ['streamingjobs', 'streamingjobs/inputs', 'streamingjobs/outputs', 'clusters'],
  },
  {
    title: 'Synapse',
    namespace: 'Microsoft.Synapse',
    types: ['workspaces', 'workspaces/sqlPools', 'workspaces/bigDataPools', 'privateLinkHubs'],
    data: ['workspaces/artifacts', 'workspaces/credentials'],
  },
  {
    title: 'Storage File Data',
    namespace: 'Microsoft.Storage',
    types: ['storageAccounts/fileServices', 'storageAccounts/fileServices/shares'],
    data: ['storageAccounts/fileServices/fileshares/files'],
  },
  {
    title: 'Storage Queue Data',
    namespace: 'Microsoft.Storage',
    types: ['storageAccounts/queueServices', 'storageAccounts/queueServices/queues'],
    data: ['storageAccounts/queueServices/queues/messages'],
  },
  {
    title: 'Storage Table Data',
    namespace: 'Microsoft.Storage',
    types: ['storageAccounts/tableServices', 'storageAccounts/tableServices/tables'],
    data: ['storageAccounts/tableServices/tables/entities'],
  },
  {
    title: 'Traffic Manager',
    namespace: 'Microsoft.Network',
    types: [
      'trafficManagerProfiles',
      'trafficManagerProfiles/azureEndpoints',
      'trafficManagerProfiles/externalEndpoints',
    ],
  },
  {
    title: 'Video Indexer',
    namespace: 'Microsoft.VideoIndexer',
    types: ['accounts', 'accounts/privateEndpointConnections'],
    data: ['accounts/videos', 'accounts/projects'],
  },
  {
    title: 'Virtual Desktop',
    namespace: 'Microsoft.DesktopVirtualization',
    types: ['hostpools', 'hostpools/sessionhosts', 'applicationgroups', 'workspaces', 'scalingPlans'],
    data: ['appattachpackages'],
  },
  {
    title: 'Web Plan',
    namespace: 'Microsoft.Web',
    types: ['serverFarms', 'serverFarms/sites', 'hostingEnvironments', 'certificates'],
  },
  {
    title: 'Website',
    namespace: 'Microsoft.Web',
    types: ['sites', 'sites/config', 'sites/slots', 'sites/functions', 'staticSites'],
  },
  { title: 'Windows 365', namespace: 'Microsoft.Windows365', types: ['cloudPcs', 'provisioningPolicies'] },
  { title: 'Workload Monitoring', namespace: 'Microsoft.WorkloadMonitor', types: ['monitors', 'notificationSettings'] },
];
