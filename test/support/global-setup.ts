import { fileURLToPath } from 'node:url';

// Child processes started by tests (the CLI, the emulator) load the same no-network guard.
export default function setup(): void {
  const guard = fileURLToPath(new URL('./no-network.mjs', import.meta.url));
  const existing = process.env.NODE_OPTIONS ?? '';
  if (!existing.includes('no-network.mjs')) {
    process.env.NODE_OPTIONS = `${existing} --import=${guard}`.trim();
  }
  process.env.METADATA_SERVER_DETECTION = 'none';
}
