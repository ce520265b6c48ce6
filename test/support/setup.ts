// Per-test-file setup: the no-network guard in this process, and safe defaults for the Google libraries.
import './no-network.mjs';

process.env.METADATA_SERVER_DETECTION = 'none';
delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
delete process.env.CLOUDSDK_CORE_PROJECT;
delete process.env.CLOUDSDK_RUN_REGION;
