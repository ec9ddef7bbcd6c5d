/**
 * Provider operations for the namespaces the dataset uses, as
 * `GET /providers/Microsoft.Authorization/providerOperations/{ns}?$expand=resourceTypes` returns them
 * (azure-rest-api-specs authorization 2022-04-01 ProviderOperationsMetadata: id, name, type, displayName,
 * resourceTypes[{name, displayName, operations}], operations[{name, displayName, description, origin,
 * isDataAction}]). Operation names from azure-docs role-based-access-control/permissions/storage.md,
 * security.md (Microsoft.KeyVault), compute.md, management-and-governance.md (Microsoft.Authorization).
 */

interface OperationSpec {
  /** Path after the namespace, e.g. 'storageAccounts/read'. */
  op: string;
  display: string;
  data?: true;
}

interface ProviderSpec {
  displayName: string;
  /** resource type → display name; operations are grouped by their longest matching type. */
  types: Record<string, string>;
  ops: OperationSpec[];
}

const op = (o: string, display: string, data?: true): OperationSpec => ({ op: o, display, ...(data ? { data } : {}) });

const PROVIDERS: Record<string, ProviderSpec> = {
  'Microsoft.Storage': {
    displayName: 'Microsoft Storage',
    types: {
      storageAccounts: 'Storage Accounts',
      'storageAccounts/blobServices': 'Blob Service',
      'storageAccounts/blobServices/containers': 'Blob Containers',
      'storageAccounts/blobServices/containers/blobs': 'Blobs',
      'storageAccounts/blobServices/containers/blobs/tags': 'Blob Tags',
      'storageAccounts/queueServices/queues/messages': 'Queue Messages',
    },
    ops: [
      op('register/action', 'Registers the subscription for the storage resource provider'),
      op(
        'storageAccounts/read',
        'Returns the list of storage accounts or gets the properties for the specified storage account.',
      ),
      op(
        'storageAccounts/write',
        'Creates a storage account with the specified parameters or update the properties or tags.',
      ),
      op('storageAccounts/delete', 'Deletes an existing storage account.'),
      op('storageAccounts/listKeys/action', 'Returns the access keys for the specified storage account.'),
      op('storageAccounts/regeneratekey/action', 'Regenerates the access keys for the specified storage account.'),
      op('storageAccounts/blobServices/read', 'Returns blob service properties or statistics'),
      op(
        'storageAccounts/blobServices/generateUserDelegationKey/action',
        'Returns a user delegation key for the blob service',
      ),
      op('storageAccounts/blobServices/containers/read', 'Returns a container or a list of containers'),
      op('storageAccounts/blobServices/containers/write', 'Creates or updates a container'),
      op('storageAccounts/blobServices/containers/delete', 'Deletes a container'),
      op('storageAccounts/blobServices/containers/blobs/read', 'Returns a blob or a list of blobs', true),
      op('storageAccounts/blobServices/containers/blobs/write', 'Writes to a blob', true),
      op('storageAccounts/blobServices/containers/blobs/delete', 'Deletes a blob', true),
      op('storageAccounts/blobServices/containers/blobs/add/action', 'Returns the result of adding blob content', true),
      op('storageAccounts/blobServices/containers/blobs/move/action', 'Moves the blob from one path to another', true),
      op('storageAccounts/blobServices/containers/blobs/tags/read', 'Returns the result of reading blob tags', true),
      op('storageAccounts/queueServices/queues/messages/read', 'Returns a message', true),
    ],
  },
  'Microsoft.KeyVault': {
    displayName: 'Microsoft Key Vault',
    types: {
      vaults: 'Key Vault',
      'vaults/accessPolicies': 'Access Policy',
      'vaults/secrets': 'Secret',
      'vaults/keys': 'Key',
      'vaults/certificates': 'Certificate',
    },
    ops: [
      op('register/action', 'Registers a subscription'),
      op('checkNameAvailability/read', 'Checks that a key vault name is valid and is not in use'),
      op('vaults/read', 'View the properties of a key vault'),
      op('vaults/write', 'Create a new key vault or update the properties of an existing key vault'),
      op('vaults/delete', 'Delete a key vault'),
      op(
        'vaults/accessPolicies/write',
        'Update an existing access policy by merging or replacing, or add a new access policy to the key vault.',
      ),
      op('vaults/secrets/read', 'View the properties of a secret, but not its value.'),
      op('vaults/secrets/write', 'Create a new secret or update the value of an existing secret.'),
      op('vaults/secrets/getSecret/action', 'Gets the value of a secret.', true),
      op('vaults/secrets/readMetadata/action', 'List or view the properties of a secret, but not its value.', true),
      op('vaults/secrets/setSecret/action', 'Sets the value of a secret.', true),
      op('vaults/secrets/delete', 'Deletes a secret. Not recoverable if soft delete is off.', true),
      op(
        'vaults/keys/read',
        'List keys in the specified vault, or read properties and public material of a key.',
        true,
      ),
      op('vaults/keys/encrypt/action', 'Encrypt plaintext with a key.', true),
      op(
        'vaults/certificates/read',
        'List certificates in a specified key vault, or get information about a certificate.',
        true,
      ),
    ],
  },
  'Microsoft.Compute': {
    displayName: 'Microsoft Compute',
    types: {
      virtualMachines: 'Virtual Machines',
      'virtualMachines/extensions': 'Virtual Machine Extensions',
      disks: 'Disks',
    },
    ops: [
      op('register/action', 'Registers Subscription with Microsoft.Compute resource provider'),
      op('virtualMachines/read', 'Get the properties of a virtual machine'),
      op('virtualMachines/write', 'Creates a new virtual machine or updates an existing virtual machine'),
      op('virtualMachines/delete', 'Deletes the virtual machine'),
      op('virtualMachines/start/action', 'Starts the virtual machine'),
      op(
        'virtualMachines/powerOff/action',
        'Powers off the virtual machine. Note that the virtual machine will continue to be billed.',
      ),
      op('virtualMachines/restart/action', 'Restarts the virtual machine'),
      op('virtualMachines/deallocate/action', 'Powers off the virtual machine and releases the compute resources'),
      op('virtualMachines/runCommand/action', 'Executes a predefined script on the virtual machine'),
      op('virtualMachines/extensions/read', 'Get the properties of a virtual machine extension'),
      op('virtualMachines/login/action', 'Log in to a virtual machine as a regular user', true),
      op(
        'virtualMachines/loginAsAdmin/action',
        'Log in to a virtual machine with Windows administrator or Linux root user privileges',
        true,
      ),
      op('disks/read', 'Get the properties of a Disk'),
    ],
  },
  'Microsoft.Authorization': {
    displayName: 'Microsoft Authorization',
    types: {
      roleAssignments: 'Role assignments',
      roleDefinitions: 'Role definitions',
      denyAssignments: 'Deny assignments',
      permissions: 'Permissions',
    },
    ops: [
      op('roleAssignments/read', 'Get information about a role assignment.'),
      op('roleAssignments/write', 'Create a role assignment at the specified scope.'),
      op('roleAssignments/delete', 'Delete a role assignment at the specified scope.'),
      op('roleDefinitions/read', 'Get information about a role definition.'),
      op('denyAssignments/read', 'Get information about a deny assignment.'),
      op('permissions/read', 'Lists all the permissions the caller has at a given scope.'),
      op('elevateAccess/Action', 'Grants the caller User Access Administrator access at the tenant scope'),
    ],
  },
};

function operationWire(ns: string, spec: OperationSpec): unknown {
  return {
    name: `${ns}/${spec.op}`,
    displayName: spec.display,
    description: spec.display,
    origin: spec.data ? 'user' : 'user,system',
    properties: null,
    isDataAction: Boolean(spec.data),
  };
}

/** The provider's metadata, or undefined when the emulator does not model the namespace. */
export function providerOperations(namespace: string, expandResourceTypes: boolean): unknown {
  const ns = Object.keys(PROVIDERS).find((k) => k.toLowerCase() === namespace.toLowerCase());
  if (!ns) return undefined;
  const spec = PROVIDERS[ns];
  const types = Object.keys(spec.types).sort((a, b) => b.length - a.length);
  // An operation is `{resourceType}/{verb}` or `{resourceType}/{name}/action`.
  const typeOf = (o: OperationSpec) =>
    types.find(
      (t) =>
        o.op.toLowerCase().startsWith(`${t.toLowerCase()}/`) && /^[^/]+(\/action)?$/i.test(o.op.slice(t.length + 1)),
    );
  const resourceTypes = Object.entries(spec.types).map(([name, displayName]) => ({
    name,
    displayName,
    operations: spec.ops.filter((o) => typeOf(o) === name).map((o) => operationWire(ns, o)),
  }));
  return {
    id: `/providers/Microsoft.Authorization/providerOperations/${ns}`,
    name: ns,
    type: 'Microsoft.Authorization/providerOperations',
    displayName: spec.displayName,
    ...(expandResourceTypes ? { resourceTypes } : {}),
    operations: spec.ops.filter((o) => !typeOf(o)).map((o) => operationWire(ns, o)),
  };
}
