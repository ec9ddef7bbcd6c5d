/**
 * Services of the generated built-in role catalog (A–K): the resource types each role family covers, shaped
 * like the real catalog (azure-docs role-based-access-control/built-in-roles.md; see catalog.ts).
 */
import type { ServiceSpec } from './catalog';

export const SERVICES_FIRST_HALF: readonly ServiceSpec[] = [
  {
    title: 'API Management Service',
    namespace: 'Microsoft.ApiManagement',
    types: ['service', 'service/apis', 'service/products', 'service/subscriptions', 'service/users'],
  },
  {
    title: 'App Configuration',
    namespace: 'Microsoft.AppConfiguration',
    types: ['configurationStores', 'configurationStores/keyValues', 'configurationStores/replicas'],
    data: ['configurationStores/keyValues', 'configurationStores/snapshots'],
  },
  {
    title: 'Application Insights',
    namespace: 'Microsoft.Insights',
    types: ['components', 'components/analyticsItems', 'webtests', 'workbooks'],
  },
  {
    title: 'Attestation',
    namespace: 'Microsoft.Attestation',
    types: ['attestationProviders', 'attestationProviders/privateEndpointConnections'],
    data: ['attestationProviders/attestation'],
  },
  {
    title: 'Automation',
    namespace: 'Microsoft.Automation',
    types: [
      'automationAccounts',
      'automationAccounts/runbooks',
      'automationAccounts/jobs',
      'automationAccounts/schedules',
      'automationAccounts/variables',
    ],
  },
  {
    title: 'Azure Arc',
    namespace: 'Microsoft.HybridCompute',
    types: ['machines', 'machines/extensions', 'privateLinkScopes', 'licenses'],
  },
  {
    title: 'Azure Kubernetes Service',
    namespace: 'Microsoft.ContainerService',
    types: ['managedClusters', 'managedClusters/agentPools', 'managedClusters/maintenanceConfigurations', 'fleets'],
    data: [
      'managedClusters/namespaces',
      'managedClusters/pods',
      'managedClusters/deployments',
      'managedClusters/secrets',
    ],
  },
  {
    title: 'Azure Maps',
    namespace: 'Microsoft.Maps',
    types: ['accounts', 'accounts/creators'],
    data: ['accounts/services/data', 'accounts/services/render'],
  },
  {
    title: 'Azure Spring Apps',
    namespace: 'Microsoft.AppPlatform',
    types: ['Spring', 'Spring/apps', 'Spring/apps/deployments', 'Spring/configServers'],
    data: ['Spring/eurekaService', 'Spring/configService'],
  },
  {
    title: 'Backup',
    namespace: 'Microsoft.RecoveryServices',
    types: [
      'Vaults',
      'Vaults/backupPolicies',
      'Vaults/backupFabrics/protectionContainers',
      'Vaults/backupJobs',
      'Vaults/backupstorageconfig',
    ],
  },
  {
    title: 'Batch Account',
    namespace: 'Microsoft.Batch',
    types: ['batchAccounts', 'batchAccounts/pools', 'batchAccounts/certificates', 'batchAccounts/applications'],
    data: ['batchAccounts/jobs', 'batchAccounts/jobSchedules'],
  },
  {
    title: 'Bot Service',
    namespace: 'Microsoft.BotService',
    types: ['botServices', 'botServices/channels', 'botServices/connections'],
  },
  {
    title: 'CDN Profile',
    namespace: 'Microsoft.Cdn',
    types: ['profiles', 'profiles/endpoints', 'profiles/afdEndpoints', 'profiles/ruleSets', 'profiles/secrets'],
  },
  {
    title: 'Cognitive Services',
    namespace: 'Microsoft.CognitiveServices',
    types: ['accounts', 'accounts/deployments', 'accounts/raiPolicies'],
    data: [
      'accounts/OpenAI/deployments',
      'accounts/TextAnalytics',
      'accounts/SpeechServices',
      'accounts/ComputerVision',
    ],
  },
  {
    title: 'Container Apps',
    namespace: 'Microsoft.App',
    types: ['containerApps', 'managedEnvironments', 'jobs', 'containerApps/revisions'],
  },
  {
    title: 'Container Registry',
    namespace: 'Microsoft.ContainerRegistry',
    types: [
      'registries',
      'registries/replications',
      'registries/webhooks',
      'registries/scopeMaps',
      'registries/tokens',
    ],
    data: ['registries/repositories/content', 'registries/repositories/metadata'],
  },
  {
    title: 'Cosmos DB',
    namespace: 'Microsoft.DocumentDB',
    types: [
      'databaseAccounts',
      'databaseAccounts/sqlDatabases',
      'databaseAccounts/mongodbDatabases',
      'databaseAccounts/cassandraKeyspaces',
    ],
    data: ['databaseAccounts/readMetadata', 'databaseAccounts/sqlDatabases/containers/items'],
  },
  {
    title: 'Cost Management',
    namespace: 'Microsoft.CostManagement',
    types: ['budgets', 'exports', 'views', 'alerts', 'query'],
  },
  { title: 'Data Box', namespace: 'Microsoft.DataBox', types: ['jobs', 'locations/availableSkus'] },
  {
    title: 'Data Factory',
    namespace: 'Microsoft.DataFactory',
    types: ['factories', 'factories/pipelines', 'factories/datasets', 'factories/linkedservices', 'factories/triggers'],
  },
  {
    title: 'Data Lake Analytics',
    namespace: 'Microsoft.DataLakeAnalytics',
    types: ['accounts', 'accounts/computePolicies', 'accounts/firewallRules'],
  },
  {
    title: 'Data Share',
    namespace: 'Microsoft.DataShare',
    types: ['accounts', 'accounts/shares', 'accounts/shareSubscriptions'],
  },
  {
    title: 'Database Migration Service',
    namespace: 'Microsoft.DataMigration',
    types: ['services', 'services/projects', 'services/projects/tasks'],
  },
  {
    title: 'Databricks',
    namespace: 'Microsoft.Databricks',
    types: ['workspaces', 'workspaces/virtualNetworkPeerings', 'accessConnectors'],
  },
  {
    title: 'DNS Zone',
    namespace: 'Microsoft.Network',
    types: ['dnsZones', 'dnsZones/A', 'dnsZones/CNAME', 'dnsZones/TXT', 'privateDnsZones'],
  },
  {
    title: 'DevTest Labs',
    namespace: 'Microsoft.DevTestLab',
    types: ['labs', 'labs/virtualMachines', 'labs/schedules', 'labs/users'],
  },
  {
    title: 'Device Update',
    namespace: 'Microsoft.DeviceUpdate',
    types: ['accounts', 'accounts/instances'],
    data: ['accounts/instances/updates', 'accounts/instances/deployments'],
  },
  {
    title: 'Digital Twins',
    namespace: 'Microsoft.DigitalTwins',
    types: ['digitalTwinsInstances', 'digitalTwinsInstances/endpoints'],
    data: ['digitaltwins', 'models', 'query', 'eventroutes'],
  },
  {
    title: 'Event Grid',
    namespace: 'Microsoft.EventGrid',
    types: ['topics', 'domains', 'eventSubscriptions', 'systemTopics', 'namespaces'],
    data: ['events', 'topicSpaces'],
  },
  {
    title: 'Event Hubs',
    namespace: 'Microsoft.EventHub',
    types: ['namespaces', 'namespaces/eventhubs', 'namespaces/authorizationRules', 'namespaces/networkRuleSets'],
    data: ['namespaces/messages'],
  },
  {
    title: 'Grafana',
    namespace: 'Microsoft.Dashboard',
    types: ['grafana', 'grafana/privateEndpointConnections', 'grafana/managedPrivateEndpoints'],
    data: ['grafana/dashboards', 'grafana/datasources'],
  },
  {
    title: 'HDInsight Cluster',
    namespace: 'Microsoft.HDInsight',
    types: ['clusters', 'clusters/applications', 'clusters/configurations', 'clusters/roles'],
  },
  {
    title: 'Health Data Services',
    namespace: 'Microsoft.HealthcareApis',
    types: ['workspaces', 'workspaces/fhirservices', 'workspaces/dicomservices', 'services'],
    data: ['workspaces/fhirservices/resources', 'workspaces/dicomservices/studies'],
  },
  {
    title: 'IoT Hub',
    namespace: 'Microsoft.Devices',
    types: ['IotHubs', 'IotHubs/certificates', 'IotHubs/eventHubEndpoints', 'provisioningServices'],
    data: ['IotHubs/devices', 'IotHubs/twins', 'IotHubs/configurations', 'IotHubs/jobs'],
  },
  {
    title: 'Key Vault Managed HSM',
    namespace: 'Microsoft.KeyVault',
    types: ['managedHSMs', 'managedHSMs/privateEndpointConnections'],
    data: ['managedHsm/keys', 'managedHsm/roleAssignments', 'managedHsm/backup'],
  },
];
