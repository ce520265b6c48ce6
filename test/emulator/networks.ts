// Test set-up for the APIs that peer into a VPC (Memorystore, Filestore, Cloud Run's Direct VPC
// egress): a network and subnetwork made through the emulator's Compute REST API.
import type { RunningEmulator } from '../../src/emulator/index.js';
import { restCall } from './clients.js';

/**
 * A custom-mode VPC network with one subnetwork of the same name, made through the Compute REST API
 * as the tool does (Compute must be enabled in the project), waiting on both operations.
 */
export async function createVpc(
  emulator: Pick<RunningEmulator, 'port'>,
  projectId: string,
  network: string,
  subnetRange: string,
  region = 'us-central1',
): Promise<void> {
  const base = `/compute/v1/projects/${projectId}`;
  const inserted = await restCall(emulator, 'POST', `${base}/global/networks`, { name: network, autoCreateSubnetworks: false });
  if (inserted.status !== 200) throw new Error(`network insert failed: ${JSON.stringify(inserted.body)}`);
  await restCall(emulator, 'POST', `${base}/global/operations/${inserted.body.name}/wait`);
  const subnet = await restCall(emulator, 'POST', `${base}/regions/${region}/subnetworks`, {
    name: network,
    network: `global/networks/${network}`,
    ipCidrRange: subnetRange,
  });
  if (subnet.status !== 200) throw new Error(`subnetwork insert failed: ${JSON.stringify(subnet.body)}`);
  await restCall(emulator, 'POST', `${base}/regions/${region}/operations/${subnet.body.name}/wait`);
}
