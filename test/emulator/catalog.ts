/**
 * The rest of the built-in role catalog: real ARM lists about 550 built-in roles at every subscription
 * (azure-docs role-based-access-control/built-in-roles.md lists them all; its table has ~550 rows), 1–2 MB
 * of JSON. The roles the dataset assigns have their real ids and permissions (roles.ts); the others are
 * generated here, deterministically and independent of the seed (built-in roles are global and their ids
 * never change, same doc: "Built-in roles have the same role ID across clouds"), with names, descriptions
 * and permission lists shaped like the real ones (common actions + per-resource-type wildcards).
 */
import { createHash } from 'node:crypto';
import type { RoleDefinitionProperties, RolePermission } from './roles';

interface ServiceSpec {
  /** Display name as it appears in role names, e.g. 'API Management'. */
  title: string;
  namespace: string;
  types: string[];
  /** Data-plane resource types (with dataActions), if the service has a data plane. */
  data?: string[];
}

const SERVICES: readonly ServiceSpec[] = [
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

/** Role kinds and what they are granted on each control-plane resource type. */
const KINDS = [
  {
    suffix: 'Contributor',
    verbs: ['*'],
    blurb: (s: string) => `Lets you manage ${s} resources, but not access to them.`,
  },
  { suffix: 'Reader', verbs: ['read'], blurb: (s: string) => `Lets you view ${s} resources, but not change them.` },
  {
    suffix: 'Operator',
    verbs: ['read', 'action'],
    blurb: (s: string) => `Lets you operate ${s} resources: read them and run their actions.`,
  },
  {
    suffix: 'Administrator',
    verbs: ['*'],
    blurb: (s: string) => `Full access to ${s} resources, including their configuration and access keys.`,
  },
  { suffix: 'Data Reader', verbs: ['read'], data: ['read'], blurb: (s: string) => `Allows read access to ${s} data.` },
  {
    suffix: 'Data Contributor',
    verbs: ['read'],
    data: ['read', 'write', 'delete', 'action'],
    blurb: (s: string) => `Allows read, write and delete access to ${s} data.`,
  },
  {
    suffix: 'Data Owner',
    verbs: ['*'],
    data: ['*'],
    blurb: (s: string) => `Allows full access to ${s} data, including assigning access.`,
  },
  {
    suffix: 'Service Operator',
    verbs: ['read', 'write'],
    blurb: (s: string) => `Can manage ${s} service settings but not delete the service.`,
  },
] as const;

/** What most built-in management roles carry (e.g. Storage Account Contributor, Key Vault Reader in built-in-roles.md). */
const COMMON_ACTIONS = [
  'Microsoft.Authorization/*/read',
  'Microsoft.Insights/alertRules/*',
  'Microsoft.Insights/metrics/read',
  'Microsoft.Insights/diagnosticSettings/*',
  'Microsoft.ResourceHealth/availabilityStatuses/read',
  'Microsoft.Resources/deployments/*',
  'Microsoft.Resources/subscriptions/resourceGroups/read',
  'Microsoft.Support/*',
];

/** A stable GUID from a role name (SHA-1 based, version nibble 4) so the catalog never changes between runs. */
function stableRoleGuid(roleName: string): string {
  const h = createHash('sha1').update(`built-in-role:${roleName}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function stableDate(roleName: string, fromYear: number, years: number): string {
  const n = createHash('sha1').update(`date:${roleName}`).digest().readUInt32LE(0);
  const ms = Date.UTC(fromYear, 0, 1) + (n % (years * 365)) * 86_400_000 + (n % 86_400) * 1000 + (n % 1000);
  return new Date(ms).toISOString().replace('Z', `${String(n % 10_000).padStart(4, '0')}Z`);
}

function permissionsFor(service: ServiceSpec, kind: (typeof KINDS)[number]): RolePermission {
  const actions = [...COMMON_ACTIONS];
  for (const type of service.types) {
    for (const verb of kind.verbs) actions.push(`${service.namespace}/${type}/${verb}`);
    actions.push(
      `${service.namespace}/${type}/providers/Microsoft.Insights/logDefinitions/read`,
      `${service.namespace}/${type}/providers/Microsoft.Insights/metricDefinitions/read`,
      `${service.namespace}/${type}/providers/Microsoft.Insights/diagnosticSettings/read`,
    );
  }
  actions.push(
    `${service.namespace}/locations/operationResults/read`,
    `${service.namespace}/operations/read`,
    `${service.namespace}/register/action`,
  );
  const dataActions: string[] = [];
  if ('data' in kind) {
    for (const type of service.data ?? [])
      for (const verb of kind.data) dataActions.push(`${service.namespace}/${type}/${verb}`);
  }
  // Operators may act but not delete, the way e.g. Virtual Machine Operator-style roles subtract deletes.
  const notActions = kind.suffix === 'Operator' ? [`${service.namespace}/*/delete`] : [];
  return { actions, notActions, dataActions, notDataActions: [] };
}

/**
 * `count` generated built-in roles (properties only; ids come from `stableRoleGuid(roleName)`), in the
 * alphabetical order built-in-roles.md uses. Names never collide with the real ones in roles.ts.
 */
export function generatedBuiltInRoles(
  count: number,
  reservedNames: ReadonlySet<string>,
): Array<{ guid: string; properties: RoleDefinitionProperties }> {
  const out: Array<{ guid: string; properties: RoleDefinitionProperties }> = [];
  for (let k = 0; out.length < count && k < KINDS.length * 4; k++) {
    const kind = KINDS[k % KINDS.length];
    const edition = Math.floor(k / KINDS.length);
    for (const service of SERVICES) {
      if (out.length >= count) break;
      if ('data' in kind && !service.data) continue;
      const roleName = `${service.title}${edition ? ` ${['', 'Workspace', 'Preview', 'Regional'][edition]}` : ''} ${kind.suffix}`;
      if (reservedNames.has(roleName.toLowerCase())) continue;
      const createdOn = stableDate(roleName, 2016, 7);
      out.push({
        guid: stableRoleGuid(roleName),
        properties: {
          roleName,
          type: 'BuiltInRole',
          description: kind.blurb(service.title),
          assignableScopes: ['/'],
          permissions: [permissionsFor(service, kind)],
          createdOn,
          updatedOn: stableDate(`${roleName}:updated`, 2023, 2),
          createdBy: null,
          updatedBy: null,
        },
      });
    }
  }
  return out.sort((a, b) => a.properties.roleName.localeCompare(b.properties.roleName));
}
