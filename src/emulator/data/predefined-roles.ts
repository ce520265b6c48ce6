// Generated data — see the header of ./iam-catalog.ts for where it comes from; do not edit by hand.
// Predefined roles as Google's roles.get answers them (GET https://iam.googleapis.com/v1/roles/ROLE), for
// the roles the tool grants or documents and their neighbours.
export interface PredefinedRole {
  name: string;
  title: string;
  description: string;
  includedPermissions: string[];
  stage: string;
  etag: string;
}

export const PREDEFINED_ROLES: readonly PredefinedRole[] = [
  {
    name: 'roles/run.admin',
    title: 'Cloud Run Admin',
    description: 'Full control over all Cloud Run resources.',
    includedPermissions:
      'recommender.locations.get recommender.locations.list recommender.runServiceCostInsights.get recommender.runServiceCostInsights.list recommender.runServiceCostInsights.update recommender.runServiceCostRecommendations.get recommender.runServiceCostRecommendations.list recommender.runServiceCostRecommendations.update recommender.runServiceIdentityInsights.get recommender.runServiceIdentityInsights.list recommender.runServiceIdentityInsights.update recommender.runServiceIdentityRecommendations.get recommender.runServiceIdentityRecommendations.list recommender.runServiceIdentityRecommendations.update recommender.runServicePerformanceInsights.get recommender.runServicePerformanceInsights.list recommender.runServicePerformanceInsights.update recommender.runServicePerformanceRecommendations.get recommender.runServicePerformanceRecommendations.list recommender.runServicePerformanceRecommendations.update recommender.runServiceSecurityInsights.get recommender.runServiceSecurityInsights.list recommender.runServiceSecurityInsights.update recommender.runServiceSecurityRecommendations.get recommender.runServiceSecurityRecommendations.list recommender.runServiceSecurityRecommendations.update resourcemanager.projects.get resourcemanager.projects.list run.configurations.get run.configurations.list run.executions.cancel run.executions.delete run.executions.get run.executions.list run.instances.create run.instances.delete run.instances.get run.instances.getIamPolicy run.instances.invoke run.instances.list run.instances.setIamPolicy run.instances.sshRead run.instances.sshRoot run.instances.start run.instances.stop run.instances.update run.jobs.create run.jobs.createTagBinding run.jobs.delete run.jobs.deleteTagBinding run.jobs.get run.jobs.getIamPolicy run.jobs.list run.jobs.listEffectiveTags run.jobs.listTagBindings run.jobs.run run.jobs.runWithOverrides run.jobs.setIamPolicy run.jobs.sshRead run.jobs.sshRoot run.jobs.update run.locations.list run.locations.uploadSource run.operations.delete run.operations.get run.operations.list run.prompts.get run.revisions.delete run.revisions.get run.revisions.list run.routes.get run.routes.invoke run.routes.list run.services.create run.services.createTagBinding run.services.delete run.services.deleteTagBinding run.services.get run.services.getIamPolicy run.services.list run.services.listEffectiveTags run.services.listTagBindings run.services.setIamPolicy run.services.sshRead run.services.sshRoot run.services.update run.tasks.get run.tasks.list run.workerpools.create run.workerpools.delete run.workerpools.get run.workerpools.getIamPolicy run.workerpools.list run.workerpools.setIamPolicy run.workerpools.sshRead run.workerpools.sshRoot run.workerpools.update'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/run.developer',
    title: 'Cloud Run Developer',
    description: 'Read and write access to all Cloud Run resources.',
    includedPermissions:
      'recommender.locations.get recommender.locations.list recommender.runServiceCostInsights.get recommender.runServiceCostInsights.list recommender.runServiceCostInsights.update recommender.runServiceCostRecommendations.get recommender.runServiceCostRecommendations.list recommender.runServiceCostRecommendations.update recommender.runServiceIdentityInsights.get recommender.runServiceIdentityInsights.list recommender.runServiceIdentityInsights.update recommender.runServiceIdentityRecommendations.get recommender.runServiceIdentityRecommendations.list recommender.runServiceIdentityRecommendations.update recommender.runServicePerformanceInsights.get recommender.runServicePerformanceInsights.list recommender.runServicePerformanceInsights.update recommender.runServicePerformanceRecommendations.get recommender.runServicePerformanceRecommendations.list recommender.runServicePerformanceRecommendations.update recommender.runServiceSecurityInsights.get recommender.runServiceSecurityInsights.list recommender.runServiceSecurityInsights.update recommender.runServiceSecurityRecommendations.get recommender.runServiceSecurityRecommendations.list recommender.runServiceSecurityRecommendations.update resourcemanager.projects.get resourcemanager.projects.list run.configurations.get run.configurations.list run.executions.cancel run.executions.delete run.executions.get run.executions.list run.instances.create run.instances.delete run.instances.get run.instances.getIamPolicy run.instances.invoke run.instances.list run.instances.sshRead run.instances.sshRoot run.instances.start run.instances.stop run.instances.update run.jobs.create run.jobs.delete run.jobs.get run.jobs.getIamPolicy run.jobs.list run.jobs.listEffectiveTags run.jobs.listTagBindings run.jobs.run run.jobs.runWithOverrides run.jobs.sshRead run.jobs.sshRoot run.jobs.update run.locations.list run.locations.uploadSource run.operations.delete run.operations.get run.operations.list run.prompts.get run.revisions.delete run.revisions.get run.revisions.list run.routes.get run.routes.invoke run.routes.list run.services.create run.services.delete run.services.get run.services.getIamPolicy run.services.list run.services.listEffectiveTags run.services.listTagBindings run.services.sshRead run.services.sshRoot run.services.update run.tasks.get run.tasks.list run.workerpools.create run.workerpools.delete run.workerpools.get run.workerpools.getIamPolicy run.workerpools.list run.workerpools.sshRead run.workerpools.sshRoot run.workerpools.update'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/run.invoker',
    title: 'Cloud Run Invoker',
    description: 'Can invoke Cloud Run services, instances and execute Cloud Run jobs.',
    includedPermissions: 'run.instances.invoke run.jobs.run run.routes.invoke'.split(' '),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/run.viewer',
    title: 'Cloud Run Viewer',
    description: 'Can view the state of all Cloud Run resources, including IAM policies.',
    includedPermissions:
      'recommender.locations.get recommender.locations.list recommender.runServiceCostInsights.get recommender.runServiceCostInsights.list recommender.runServiceCostRecommendations.get recommender.runServiceCostRecommendations.list recommender.runServiceIdentityInsights.get recommender.runServiceIdentityInsights.list recommender.runServiceIdentityRecommendations.get recommender.runServiceIdentityRecommendations.list recommender.runServicePerformanceInsights.get recommender.runServicePerformanceInsights.list recommender.runServicePerformanceRecommendations.get recommender.runServicePerformanceRecommendations.list recommender.runServiceSecurityInsights.get recommender.runServiceSecurityInsights.list recommender.runServiceSecurityRecommendations.get recommender.runServiceSecurityRecommendations.list resourcemanager.projects.get resourcemanager.projects.list run.configurations.get run.configurations.list run.executions.get run.executions.list run.instances.get run.instances.getIamPolicy run.instances.list run.jobs.get run.jobs.getIamPolicy run.jobs.list run.jobs.listEffectiveTags run.jobs.listTagBindings run.locations.list run.operations.get run.operations.list run.prompts.get run.revisions.get run.revisions.list run.routes.get run.routes.list run.services.get run.services.getIamPolicy run.services.list run.services.listEffectiveTags run.services.listTagBindings run.tasks.get run.tasks.list run.workerpools.get run.workerpools.getIamPolicy run.workerpools.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/run.servicesInvoker',
    title: 'Cloud Run Service Invoker',
    description: 'Can invoke Cloud Run services.',
    includedPermissions: 'run.routes.invoke'.split(' '),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/run.builder',
    title: 'Cloud Run Builder',
    description: 'Can build Cloud Run functions and source deployed services.',
    includedPermissions:
      'artifactregistry.repositories.deleteArtifacts artifactregistry.repositories.downloadArtifacts artifactregistry.repositories.uploadArtifacts logging.logEntries.create source.repos.get storage.objects.get'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/run.sourceDeveloper',
    title: 'Cloud Run Source Developer',
    description: 'Deploy and manage Cloud Run source deployed resources.',
    includedPermissions:
      'artifactregistry.attachments.get artifactregistry.attachments.list artifactregistry.dockerimages.get artifactregistry.dockerimages.list artifactregistry.files.download artifactregistry.files.get artifactregistry.files.list artifactregistry.locations.get artifactregistry.locations.list artifactregistry.mavenartifacts.get artifactregistry.mavenartifacts.list artifactregistry.npmpackages.get artifactregistry.npmpackages.list artifactregistry.packages.get artifactregistry.packages.list artifactregistry.projectconfigs.get artifactregistry.projectsettings.get artifactregistry.pythonpackages.get artifactregistry.pythonpackages.list artifactregistry.repositories.create artifactregistry.repositories.downloadArtifacts artifactregistry.repositories.exportArtifacts artifactregistry.repositories.get artifactregistry.repositories.list artifactregistry.repositories.listEffectiveTags artifactregistry.repositories.listTagBindings artifactregistry.repositories.readViaVirtualRepository artifactregistry.rules.get artifactregistry.rules.list artifactregistry.tags.get artifactregistry.tags.list artifactregistry.versions.get artifactregistry.versions.list cloudbuild.builds.create cloudbuild.builds.get cloudbuild.builds.list cloudbuild.builds.update cloudbuild.locations.get cloudbuild.locations.list cloudbuild.operations.get cloudbuild.operations.list cloudkms.keyHandles.create cloudkms.keyHandles.get cloudkms.keyHandles.list cloudkms.operations.get cloudkms.projects.showEffectiveAutokeyConfig eventarc.channelConnections.create eventarc.channelConnections.createTagBinding eventarc.channelConnections.delete eventarc.channelConnections.deleteTagBinding eventarc.channelConnections.get eventarc.channelConnections.getIamPolicy eventarc.channelConnections.list eventarc.channelConnections.listEffectiveTags eventarc.channelConnections.listTagBindings eventarc.channelConnections.publish eventarc.channels.attach eventarc.channels.create eventarc.channels.createTagBinding eventarc.channels.delete eventarc.channels.deleteTagBinding eventarc.channels.get eventarc.channels.getIamPolicy eventarc.channels.list eventarc.channels.listEffectiveTags eventarc.channels.listTagBindings eventarc.channels.publish eventarc.channels.undelete eventarc.channels.update eventarc.enrollments.create eventarc.enrollments.delete eventarc.enrollments.get eventarc.enrollments.getIamPolicy eventarc.enrollments.list eventarc.enrollments.update eventarc.googleApiSources.create eventarc.googleApiSources.delete eventarc.googleApiSources.get eventarc.googleApiSources.getIamPolicy eventarc.googleApiSources.list eventarc.googleApiSources.update eventarc.googleChannelConfigs.get eventarc.googleChannelConfigs.update eventarc.kafkaSources.create eventarc.kafkaSources.delete eventarc.kafkaSources.get eventarc.kafkaSources.getIamPolicy eventarc.kafkaSources.list eventarc.locations.get eventarc.locations.list eventarc.operations.cancel eventarc.operations.delete eventarc.operations.get eventarc.operations.list eventarc.pipelines.create eventarc.pipelines.delete eventarc.pipelines.get eventarc.pipelines.getIamPolicy eventarc.pipelines.list eventarc.pipelines.update eventarc.providers.get eventarc.providers.list eventarc.triggers.create eventarc.triggers.createTagBinding eventarc.triggers.delete eventarc.triggers.deleteTagBinding eventarc.triggers.get eventarc.triggers.getIamPolicy eventarc.triggers.list eventarc.triggers.listEffectiveTags eventarc.triggers.listTagBindings eventarc.triggers.undelete eventarc.triggers.update orgpolicy.policy.get pubsub.messageTransforms.validate pubsub.schemas.attach pubsub.schemas.commit pubsub.schemas.create pubsub.schemas.delete pubsub.schemas.get pubsub.schemas.list pubsub.schemas.listRevisions pubsub.schemas.rollback pubsub.schemas.validate pubsub.snapshots.create pubsub.snapshots.createTagBinding pubsub.snapshots.delete pubsub.snapshots.deleteTagBinding pubsub.snapshots.get pubsub.snapshots.list pubsub.snapshots.listEffectiveTags pubsub.snapshots.listTagBindings pubsub.snapshots.seek pubsub.snapshots.update pubsub.subscriptions.consume pubsub.subscriptions.create pubsub.subscriptions.createTagBinding pubsub.subscriptions.delete pubsub.subscriptions.deleteTagBinding pubsub.subscriptions.get pubsub.subscriptions.list pubsub.subscriptions.listEffectiveTags pubsub.subscriptions.listTagBindings pubsub.subscriptions.update pubsub.topics.attachSubscription pubsub.topics.create pubsub.topics.createTagBinding pubsub.topics.delete pubsub.topics.deleteTagBinding pubsub.topics.detachSubscription pubsub.topics.get pubsub.topics.list pubsub.topics.listEffectiveTags pubsub.topics.listTagBindings pubsub.topics.publish pubsub.topics.update pubsub.topics.updateTag recommender.locations.get recommender.locations.list recommender.runServiceCostInsights.get recommender.runServiceCostInsights.list recommender.runServiceCostInsights.update recommender.runServiceCostRecommendations.get recommender.runServiceCostRecommendations.list recommender.runServiceCostRecommendations.update recommender.runServiceIdentityInsights.get recommender.runServiceIdentityInsights.list recommender.runServiceIdentityInsights.update recommender.runServiceIdentityRecommendations.get recommender.runServiceIdentityRecommendations.list recommender.runServiceIdentityRecommendations.update recommender.runServicePerformanceInsights.get recommender.runServicePerformanceInsights.list recommender.runServicePerformanceInsights.update recommender.runServicePerformanceRecommendations.get recommender.runServicePerformanceRecommendations.list recommender.runServicePerformanceRecommendations.update recommender.runServiceSecurityInsights.get recommender.runServiceSecurityInsights.list recommender.runServiceSecurityInsights.update recommender.runServiceSecurityRecommendations.get recommender.runServiceSecurityRecommendations.list recommender.runServiceSecurityRecommendations.update remotebuildexecution.blobs.get resourcemanager.projects.get resourcemanager.projects.list run.configurations.get run.configurations.list run.executions.cancel run.executions.delete run.executions.get run.executions.list run.instances.create run.instances.delete run.instances.get run.instances.getIamPolicy run.instances.invoke run.instances.list run.instances.sshRead run.instances.sshRoot run.instances.start run.instances.stop run.instances.update run.jobs.create run.jobs.delete run.jobs.get run.jobs.getIamPolicy run.jobs.list run.jobs.listEffectiveTags run.jobs.listTagBindings run.jobs.run run.jobs.runWithOverrides run.jobs.sshRead run.jobs.sshRoot run.jobs.update run.locations.list run.locations.uploadSource run.operations.delete run.operations.get run.operations.list run.prompts.get run.revisions.delete run.revisions.get run.revisions.list run.routes.get run.routes.invoke run.routes.list run.services.create run.services.delete run.services.get run.services.getIamPolicy run.services.list run.services.listEffectiveTags run.services.listTagBindings run.services.sshRead run.services.sshRoot run.services.update run.tasks.get run.tasks.list run.workerpools.create run.workerpools.delete run.workerpools.get run.workerpools.getIamPolicy run.workerpools.list run.workerpools.sshRead run.workerpools.sshRoot run.workerpools.update serviceusage.consumerpolicy.analyze serviceusage.consumerpolicy.get serviceusage.effectivepolicy.get serviceusage.groups.list serviceusage.groups.listExpandedMembers serviceusage.groups.listMembers serviceusage.quotas.get serviceusage.services.get serviceusage.services.list serviceusage.services.use serviceusage.values.test storage.buckets.create storage.buckets.get storage.buckets.list storage.folders.create storage.folders.get storage.folders.list storage.managedFolders.create storage.managedFolders.get storage.managedFolders.list storage.multipartUploads.abort storage.multipartUploads.create storage.multipartUploads.listParts storage.objects.create storage.objects.createContext storage.objects.get storage.objects.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/run.serviceAgent',
    title: 'Cloud Run Service Agent',
    description: 'Gives Cloud Run service account access to managed resources.',
    includedPermissions:
      'artifactregistry.attachments.get artifactregistry.attachments.list artifactregistry.dockerimages.get artifactregistry.dockerimages.list artifactregistry.files.download artifactregistry.files.get artifactregistry.files.list artifactregistry.locations.get artifactregistry.locations.list artifactregistry.mavenartifacts.get artifactregistry.mavenartifacts.list artifactregistry.npmpackages.get artifactregistry.npmpackages.list artifactregistry.packages.get artifactregistry.packages.list artifactregistry.projectconfigs.get artifactregistry.projectsettings.get artifactregistry.pythonpackages.get artifactregistry.pythonpackages.list artifactregistry.repositories.downloadArtifacts artifactregistry.repositories.exportArtifacts artifactregistry.repositories.get artifactregistry.repositories.list artifactregistry.repositories.listEffectiveTags artifactregistry.repositories.listTagBindings artifactregistry.repositories.readViaVirtualRepository artifactregistry.repositories.uploadArtifacts artifactregistry.rules.get artifactregistry.rules.list artifactregistry.tags.get artifactregistry.tags.list artifactregistry.versions.get artifactregistry.versions.list binaryauthorization.platformPolicies.evaluatePolicy binaryauthorization.policy.evaluatePolicy clientauthconfig.clients.list cloudbuild.builds.create cloudbuild.builds.get compute.addresses.create compute.addresses.createInternal compute.addresses.delete compute.addresses.deleteInternal compute.addresses.get compute.addresses.list compute.globalOperations.get compute.networks.access compute.networks.get compute.regionOperations.get compute.subnetworks.get compute.subnetworks.use compute.zoneOperations.get iam.serviceAccounts.actAs iam.serviceAccounts.getAccessToken iam.serviceAccounts.getOpenIdToken iam.serviceAccounts.signBlob networkservices.meshes.get resourcemanager.projects.get resourcemanager.projects.getIamPolicy resourcemanager.projects.list run.routes.invoke serviceusage.services.get serviceusage.services.use storage.buckets.create storage.buckets.get storage.buckets.update storage.folders.get storage.folders.list storage.managedFolders.get storage.managedFolders.list storage.objects.create storage.objects.delete storage.objects.get storage.objects.list storage.objects.update vpcaccess.connectors.get'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/secretmanager.admin',
    title: 'Secret Manager Admin',
    description: 'Full access to administer Secret Manager resources.',
    includedPermissions:
      'cloudkms.keyHandles.create cloudkms.keyHandles.get cloudkms.keyHandles.list cloudkms.operations.get cloudkms.projects.showEffectiveAutokeyConfig resourcemanager.projects.get resourcemanager.projects.list secretmanager.locations.get secretmanager.locations.list secretmanager.secrets.create secretmanager.secrets.createTagBinding secretmanager.secrets.delete secretmanager.secrets.deleteTagBinding secretmanager.secrets.enableManagedRotation secretmanager.secrets.get secretmanager.secrets.getIamPolicy secretmanager.secrets.list secretmanager.secrets.listEffectiveTags secretmanager.secrets.listTagBindings secretmanager.secrets.rotate secretmanager.secrets.setIamPolicy secretmanager.secrets.update secretmanager.versions.access secretmanager.versions.add secretmanager.versions.destroy secretmanager.versions.disable secretmanager.versions.enable secretmanager.versions.get secretmanager.versions.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/secretmanager.secretAccessor',
    title: 'Secret Manager Secret Accessor',
    description: 'Allows accessing the payload of secrets.',
    includedPermissions: 'resourcemanager.projects.get resourcemanager.projects.list secretmanager.versions.access'.split(' '),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/secretmanager.secretVersionAdder',
    title: 'Secret Manager Secret Version Adder',
    description: 'Allows adding versions to existing secrets.',
    includedPermissions:
      'resourcemanager.projects.get resourcemanager.projects.list secretmanager.secrets.rotate secretmanager.versions.add'.split(' '),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/secretmanager.secretVersionManager',
    title: 'Secret Manager Secret Version Manager',
    description: 'Allows creating and managing versions of existing secrets.',
    includedPermissions:
      'resourcemanager.projects.get resourcemanager.projects.list secretmanager.secrets.rotate secretmanager.versions.add secretmanager.versions.destroy secretmanager.versions.disable secretmanager.versions.enable secretmanager.versions.get secretmanager.versions.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/secretmanager.viewer',
    title: 'Secret Manager Viewer',
    description: 'Allows viewing metadata of all Secret Manager resources',
    includedPermissions:
      'resourcemanager.projects.get resourcemanager.projects.list secretmanager.locations.get secretmanager.locations.list secretmanager.secrets.get secretmanager.secrets.getIamPolicy secretmanager.secrets.list secretmanager.secrets.listEffectiveTags secretmanager.secrets.listTagBindings secretmanager.versions.get secretmanager.versions.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/artifactregistry.admin',
    title: 'Artifact Registry Administrator',
    description: 'Administrator access to create and manage repositories.',
    includedPermissions:
      'artifactregistry.aptartifacts.create artifactregistry.attachments.create artifactregistry.attachments.delete artifactregistry.attachments.get artifactregistry.attachments.list artifactregistry.dockerimages.get artifactregistry.dockerimages.list artifactregistry.files.delete artifactregistry.files.download artifactregistry.files.get artifactregistry.files.list artifactregistry.files.update artifactregistry.files.upload artifactregistry.kfpartifacts.create artifactregistry.locations.get artifactregistry.locations.list artifactregistry.mavenartifacts.get artifactregistry.mavenartifacts.list artifactregistry.npmpackages.get artifactregistry.npmpackages.list artifactregistry.packages.delete artifactregistry.packages.get artifactregistry.packages.list artifactregistry.packages.update artifactregistry.projectconfigs.get artifactregistry.projectconfigs.update artifactregistry.projectsettings.get artifactregistry.projectsettings.update artifactregistry.pythonpackages.get artifactregistry.pythonpackages.list artifactregistry.repositories.create artifactregistry.repositories.createTagBinding artifactregistry.repositories.delete artifactregistry.repositories.deleteArtifacts artifactregistry.repositories.deleteTagBinding artifactregistry.repositories.downloadArtifacts artifactregistry.repositories.exportArtifacts artifactregistry.repositories.get artifactregistry.repositories.getIamPolicy artifactregistry.repositories.list artifactregistry.repositories.listEffectiveTags artifactregistry.repositories.listTagBindings artifactregistry.repositories.readViaVirtualRepository artifactregistry.repositories.setIamPolicy artifactregistry.repositories.update artifactregistry.repositories.uploadArtifacts artifactregistry.rules.create artifactregistry.rules.delete artifactregistry.rules.get artifactregistry.rules.list artifactregistry.rules.update artifactregistry.tags.create artifactregistry.tags.delete artifactregistry.tags.get artifactregistry.tags.list artifactregistry.tags.update artifactregistry.versions.delete artifactregistry.versions.get artifactregistry.versions.list artifactregistry.versions.update artifactregistry.yumartifacts.create cloudkms.keyHandles.create cloudkms.keyHandles.get cloudkms.keyHandles.list cloudkms.operations.get cloudkms.projects.showEffectiveAutokeyConfig resourcemanager.projects.get'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/artifactregistry.editor',
    title: 'Artifactregistry Editor',
    description: 'Editor role for Artifact Registry',
    includedPermissions:
      'artifactregistry.aptartifacts.create artifactregistry.attachments.create artifactregistry.attachments.delete artifactregistry.attachments.get artifactregistry.attachments.list artifactregistry.dockerimages.get artifactregistry.dockerimages.list artifactregistry.files.delete artifactregistry.files.download artifactregistry.files.get artifactregistry.files.list artifactregistry.files.update artifactregistry.files.upload artifactregistry.kfpartifacts.create artifactregistry.locations.get artifactregistry.locations.list artifactregistry.mavenartifacts.get artifactregistry.mavenartifacts.list artifactregistry.npmpackages.get artifactregistry.npmpackages.list artifactregistry.packages.delete artifactregistry.packages.get artifactregistry.packages.list artifactregistry.packages.update artifactregistry.projectconfigs.get artifactregistry.projectconfigs.update artifactregistry.projectsettings.get artifactregistry.projectsettings.update artifactregistry.pythonpackages.get artifactregistry.pythonpackages.list artifactregistry.repositories.create artifactregistry.repositories.createOnPush artifactregistry.repositories.delete artifactregistry.repositories.deleteArtifacts artifactregistry.repositories.downloadArtifacts artifactregistry.repositories.exportArtifacts artifactregistry.repositories.get artifactregistry.repositories.getIamPolicy artifactregistry.repositories.list artifactregistry.repositories.listEffectiveTags artifactregistry.repositories.listTagBindings artifactregistry.repositories.readViaVirtualRepository artifactregistry.repositories.update artifactregistry.repositories.uploadArtifacts artifactregistry.rules.create artifactregistry.rules.delete artifactregistry.rules.get artifactregistry.rules.list artifactregistry.rules.update artifactregistry.tags.create artifactregistry.tags.delete artifactregistry.tags.get artifactregistry.tags.list artifactregistry.tags.update artifactregistry.versions.delete artifactregistry.versions.get artifactregistry.versions.list artifactregistry.versions.update artifactregistry.yumartifacts.create resourcemanager.projects.get resourcemanager.projects.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/artifactregistry.reader',
    title: 'Artifact Registry Reader',
    description: 'Access to read repository items.',
    includedPermissions:
      'artifactregistry.attachments.get artifactregistry.attachments.list artifactregistry.dockerimages.get artifactregistry.dockerimages.list artifactregistry.files.download artifactregistry.files.get artifactregistry.files.list artifactregistry.locations.get artifactregistry.locations.list artifactregistry.mavenartifacts.get artifactregistry.mavenartifacts.list artifactregistry.npmpackages.get artifactregistry.npmpackages.list artifactregistry.packages.get artifactregistry.packages.list artifactregistry.projectconfigs.get artifactregistry.projectsettings.get artifactregistry.pythonpackages.get artifactregistry.pythonpackages.list artifactregistry.repositories.downloadArtifacts artifactregistry.repositories.exportArtifacts artifactregistry.repositories.get artifactregistry.repositories.list artifactregistry.repositories.listEffectiveTags artifactregistry.repositories.listTagBindings artifactregistry.repositories.readViaVirtualRepository artifactregistry.rules.get artifactregistry.rules.list artifactregistry.tags.get artifactregistry.tags.list artifactregistry.versions.get artifactregistry.versions.list resourcemanager.projects.get'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/artifactregistry.writer',
    title: 'Artifact Registry Writer',
    description: 'Access to read and write repository items.',
    includedPermissions:
      'artifactregistry.aptartifacts.create artifactregistry.attachments.create artifactregistry.attachments.delete artifactregistry.attachments.get artifactregistry.attachments.list artifactregistry.dockerimages.get artifactregistry.dockerimages.list artifactregistry.files.download artifactregistry.files.get artifactregistry.files.list artifactregistry.files.update artifactregistry.files.upload artifactregistry.kfpartifacts.create artifactregistry.locations.get artifactregistry.locations.list artifactregistry.mavenartifacts.get artifactregistry.mavenartifacts.list artifactregistry.npmpackages.get artifactregistry.npmpackages.list artifactregistry.packages.get artifactregistry.packages.list artifactregistry.packages.update artifactregistry.projectconfigs.get artifactregistry.projectsettings.get artifactregistry.pythonpackages.get artifactregistry.pythonpackages.list artifactregistry.repositories.downloadArtifacts artifactregistry.repositories.exportArtifacts artifactregistry.repositories.get artifactregistry.repositories.list artifactregistry.repositories.listEffectiveTags artifactregistry.repositories.listTagBindings artifactregistry.repositories.readViaVirtualRepository artifactregistry.repositories.uploadArtifacts artifactregistry.rules.get artifactregistry.rules.list artifactregistry.tags.create artifactregistry.tags.get artifactregistry.tags.list artifactregistry.tags.update artifactregistry.versions.get artifactregistry.versions.list artifactregistry.yumartifacts.create resourcemanager.projects.get'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/artifactregistry.repoAdmin',
    title: 'Artifact Registry Repository Administrator',
    description: 'Access to manage artifacts in repositories.',
    includedPermissions:
      'artifactregistry.aptartifacts.create artifactregistry.attachments.create artifactregistry.attachments.delete artifactregistry.attachments.get artifactregistry.attachments.list artifactregistry.dockerimages.get artifactregistry.dockerimages.list artifactregistry.files.delete artifactregistry.files.download artifactregistry.files.get artifactregistry.files.list artifactregistry.files.update artifactregistry.files.upload artifactregistry.kfpartifacts.create artifactregistry.locations.get artifactregistry.locations.list artifactregistry.mavenartifacts.get artifactregistry.mavenartifacts.list artifactregistry.npmpackages.get artifactregistry.npmpackages.list artifactregistry.packages.delete artifactregistry.packages.get artifactregistry.packages.list artifactregistry.packages.update artifactregistry.projectconfigs.get artifactregistry.projectsettings.get artifactregistry.pythonpackages.get artifactregistry.pythonpackages.list artifactregistry.repositories.deleteArtifacts artifactregistry.repositories.downloadArtifacts artifactregistry.repositories.exportArtifacts artifactregistry.repositories.get artifactregistry.repositories.list artifactregistry.repositories.listEffectiveTags artifactregistry.repositories.listTagBindings artifactregistry.repositories.readViaVirtualRepository artifactregistry.repositories.uploadArtifacts artifactregistry.rules.create artifactregistry.rules.delete artifactregistry.rules.get artifactregistry.rules.list artifactregistry.rules.update artifactregistry.tags.create artifactregistry.tags.delete artifactregistry.tags.get artifactregistry.tags.list artifactregistry.tags.update artifactregistry.versions.delete artifactregistry.versions.get artifactregistry.versions.list artifactregistry.versions.update artifactregistry.yumartifacts.create resourcemanager.projects.get'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/artifactregistry.serviceAgent',
    title: 'Artifact Registry Service Agent',
    description: 'Gives the Artifact Registry service account access to managed resources.',
    includedPermissions:
      'artifactregistry.repositories.downloadArtifacts artifactregistry.repositories.get artifactregistry.repositories.readViaVirtualRepository artifactregistry.versions.delete pubsub.topics.publish'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/iam.serviceAccountUser',
    title: 'Service Account User',
    description: 'Run operations as the service account.',
    includedPermissions:
      'iam.serviceAccounts.actAs iam.serviceAccounts.get iam.serviceAccounts.list resourcemanager.projects.get resourcemanager.projects.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/iam.serviceAccountAdmin',
    title: 'Service Account Admin',
    description: 'Create and manage service accounts.',
    includedPermissions:
      'iam.serviceAccountApiKeyBindings.create iam.serviceAccountApiKeyBindings.delete iam.serviceAccountApiKeyBindings.undelete iam.serviceAccounts.create iam.serviceAccounts.createTagBinding iam.serviceAccounts.delete iam.serviceAccounts.deleteTagBinding iam.serviceAccounts.disable iam.serviceAccounts.enable iam.serviceAccounts.get iam.serviceAccounts.getIamPolicy iam.serviceAccounts.list iam.serviceAccounts.listEffectiveTags iam.serviceAccounts.listTagBindings iam.serviceAccounts.setIamPolicy iam.serviceAccounts.undelete iam.serviceAccounts.update resourcemanager.projects.get resourcemanager.projects.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/iam.serviceAccountCreator',
    title: 'Create Service Accounts',
    description: 'Access to create service accounts.',
    includedPermissions:
      'iam.serviceAccounts.create iam.serviceAccounts.get iam.serviceAccounts.list resourcemanager.projects.get resourcemanager.projects.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/iam.serviceAccountTokenCreator',
    title: 'Service Account Token Creator',
    description: 'Impersonate service accounts (create OAuth2 access tokens, sign blobs or JWTs, etc).',
    includedPermissions:
      'iam.serviceAccounts.get iam.serviceAccounts.getAccessToken iam.serviceAccounts.getOpenIdToken iam.serviceAccounts.implicitDelegation iam.serviceAccounts.list iam.serviceAccounts.signBlob iam.serviceAccounts.signJwt resourcemanager.projects.get resourcemanager.projects.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/iam.serviceAccountViewer',
    title: 'View Service Accounts',
    description: 'Read access to service accounts, metadata, and keys.',
    includedPermissions:
      'iam.serviceAccountKeys.get iam.serviceAccountKeys.list iam.serviceAccounts.get iam.serviceAccounts.getIamPolicy iam.serviceAccounts.list iam.serviceAccounts.listEffectiveTags iam.serviceAccounts.listTagBindings resourcemanager.projects.get resourcemanager.projects.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/iam.workloadIdentityUser',
    title: 'Workload Identity User',
    description: 'Impersonate service accounts from federated workloads.',
    includedPermissions:
      'iam.serviceAccounts.get iam.serviceAccounts.getAccessToken iam.serviceAccounts.getOpenIdToken iam.serviceAccounts.list'.split(' '),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/iam.workloadIdentityPoolAdmin',
    title: 'IAM Workload Identity Pool Admin',
    description: 'Full rights to create and manage workload identity pools.',
    includedPermissions:
      'iam.googleapis.com/workloadIdentityPoolManagedIdentities.create iam.googleapis.com/workloadIdentityPoolManagedIdentities.delete iam.googleapis.com/workloadIdentityPoolManagedIdentities.get iam.googleapis.com/workloadIdentityPoolManagedIdentities.getAttestationRules iam.googleapis.com/workloadIdentityPoolManagedIdentities.list iam.googleapis.com/workloadIdentityPoolManagedIdentities.setAttestationRules iam.googleapis.com/workloadIdentityPoolManagedIdentities.undelete iam.googleapis.com/workloadIdentityPoolManagedIdentities.update iam.googleapis.com/workloadIdentityPoolNamespaces.create iam.googleapis.com/workloadIdentityPoolNamespaces.delete iam.googleapis.com/workloadIdentityPoolNamespaces.get iam.googleapis.com/workloadIdentityPoolNamespaces.list iam.googleapis.com/workloadIdentityPoolNamespaces.undelete iam.googleapis.com/workloadIdentityPoolNamespaces.update iam.googleapis.com/workloadIdentityPoolProviderKeys.create iam.googleapis.com/workloadIdentityPoolProviderKeys.delete iam.googleapis.com/workloadIdentityPoolProviderKeys.get iam.googleapis.com/workloadIdentityPoolProviderKeys.list iam.googleapis.com/workloadIdentityPoolProviderKeys.undelete iam.googleapis.com/workloadIdentityPoolProviders.create iam.googleapis.com/workloadIdentityPoolProviders.delete iam.googleapis.com/workloadIdentityPoolProviders.get iam.googleapis.com/workloadIdentityPoolProviders.list iam.googleapis.com/workloadIdentityPoolProviders.undelete iam.googleapis.com/workloadIdentityPoolProviders.update iam.googleapis.com/workloadIdentityPools.create iam.googleapis.com/workloadIdentityPools.delete iam.googleapis.com/workloadIdentityPools.get iam.googleapis.com/workloadIdentityPools.getAttestationRules iam.googleapis.com/workloadIdentityPools.getIamPolicy iam.googleapis.com/workloadIdentityPools.list iam.googleapis.com/workloadIdentityPools.setAttestationRules iam.googleapis.com/workloadIdentityPools.setIamPolicy iam.googleapis.com/workloadIdentityPools.undelete iam.googleapis.com/workloadIdentityPools.update iam.workloadIdentityPools.createPolicyBinding iam.workloadIdentityPools.deletePolicyBinding iam.workloadIdentityPools.searchPolicyBindings iam.workloadIdentityPools.updatePolicyBinding resourcemanager.projects.get resourcemanager.projects.list'.split(
        ' ',
      ),
    stage: 'BETA',
    etag: 'AA==',
  },
  {
    name: 'roles/iam.workloadIdentityPoolViewer',
    title: 'IAM Workload Identity Pool Viewer',
    description: 'Read access to workload identity pools.',
    includedPermissions:
      'iam.googleapis.com/workloadIdentityPoolManagedIdentities.get iam.googleapis.com/workloadIdentityPoolManagedIdentities.getAttestationRules iam.googleapis.com/workloadIdentityPoolManagedIdentities.list iam.googleapis.com/workloadIdentityPoolNamespaces.get iam.googleapis.com/workloadIdentityPoolNamespaces.list iam.googleapis.com/workloadIdentityPoolProviderKeys.get iam.googleapis.com/workloadIdentityPoolProviderKeys.list iam.googleapis.com/workloadIdentityPoolProviders.get iam.googleapis.com/workloadIdentityPoolProviders.list iam.googleapis.com/workloadIdentityPools.get iam.googleapis.com/workloadIdentityPools.getAttestationRules iam.googleapis.com/workloadIdentityPools.getIamPolicy iam.googleapis.com/workloadIdentityPools.list resourcemanager.projects.get resourcemanager.projects.list'.split(
        ' ',
      ),
    stage: 'BETA',
    etag: 'AA==',
  },
  {
    name: 'roles/iam.roleAdmin',
    title: 'Role Administrator',
    description: 'Access to administer all custom roles in the project.',
    includedPermissions:
      'iam.roles.create iam.roles.createTagBinding iam.roles.delete iam.roles.deleteTagBinding iam.roles.get iam.roles.list iam.roles.listEffectiveTags iam.roles.listTagBindings iam.roles.undelete iam.roles.update resourcemanager.projects.get resourcemanager.projects.getIamPolicy'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/iam.roleViewer',
    title: 'Role Viewer',
    description: 'Read access to all custom roles in the project.',
    includedPermissions:
      'iam.roles.get iam.roles.list iam.roles.listEffectiveTags iam.roles.listTagBindings resourcemanager.projects.get resourcemanager.projects.getIamPolicy'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/serviceusage.serviceUsageAdmin',
    title: 'Service Usage Admin',
    description:
      'Ability to enable, disable, and inspect service states, inspect operations, and consume quota and billing for a consumer project.',
    includedPermissions:
      'cloudquotas.quotas.get cloudquotas.quotas.update monitoring.timeSeries.list serviceusage.consumerpolicy.analyze serviceusage.consumerpolicy.get serviceusage.consumerpolicy.update serviceusage.contentsecuritypolicy.get serviceusage.contentsecuritypolicy.update serviceusage.effectivemcppolicy.get serviceusage.effectivepolicy.get serviceusage.groups.list serviceusage.groups.listExpandedMembers serviceusage.groups.listMembers serviceusage.mcppolicy.get serviceusage.mcppolicy.update serviceusage.operations.get serviceusage.quotas.get serviceusage.quotas.update serviceusage.services.disable serviceusage.services.enable serviceusage.services.get serviceusage.services.list serviceusage.services.use serviceusage.values.test'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/serviceusage.serviceUsageConsumer',
    title: 'Service Usage Consumer',
    description: 'Ability to inspect service states and operations, and consume quota and billing for a consumer project.',
    includedPermissions:
      'monitoring.timeSeries.list serviceusage.consumerpolicy.analyze serviceusage.consumerpolicy.get serviceusage.contentsecuritypolicy.get serviceusage.effectivemcppolicy.get serviceusage.effectivepolicy.get serviceusage.groups.list serviceusage.groups.listExpandedMembers serviceusage.groups.listMembers serviceusage.mcppolicy.get serviceusage.operations.get serviceusage.quotas.get serviceusage.services.get serviceusage.services.list serviceusage.services.use serviceusage.values.test'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/serviceusage.serviceUsageViewer',
    title: 'Service Usage Viewer',
    description: 'Ability to inspect service states and operations for a consumer project.',
    includedPermissions:
      'monitoring.timeSeries.list serviceusage.consumerpolicy.analyze serviceusage.consumerpolicy.get serviceusage.contentsecuritypolicy.get serviceusage.effectivemcppolicy.get serviceusage.effectivepolicy.get serviceusage.groups.list serviceusage.groups.listExpandedMembers serviceusage.groups.listMembers serviceusage.mcppolicy.get serviceusage.operations.get serviceusage.quotas.get serviceusage.services.get serviceusage.services.list serviceusage.values.test'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/resourcemanager.projectIamAdmin',
    title: 'Project IAM Admin',
    description: 'Access and administer a project IAM policies.',
    includedPermissions:
      'iam.policybindings.get iam.policybindings.list resourcemanager.projects.createPolicyBinding resourcemanager.projects.deletePolicyBinding resourcemanager.projects.get resourcemanager.projects.getIamPolicy resourcemanager.projects.searchPolicyBindings resourcemanager.projects.setIamPolicy resourcemanager.projects.updatePolicyBinding'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/cloudbuild.builds.editor',
    title: 'Cloud Build Editor',
    description: 'Can create and cancel builds',
    includedPermissions:
      'cloudbuild.builds.create cloudbuild.builds.get cloudbuild.builds.list cloudbuild.builds.update cloudbuild.locations.get cloudbuild.locations.list cloudbuild.operations.get cloudbuild.operations.list remotebuildexecution.blobs.get resourcemanager.projects.get resourcemanager.projects.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/cloudbuild.builds.builder',
    title: 'Cloud Build Service Account',
    description: 'Can perform builds',
    includedPermissions:
      'artifactregistry.aptartifacts.create artifactregistry.attachments.create artifactregistry.attachments.delete artifactregistry.attachments.get artifactregistry.attachments.list artifactregistry.dockerimages.get artifactregistry.dockerimages.list artifactregistry.files.download artifactregistry.files.get artifactregistry.files.list artifactregistry.files.update artifactregistry.files.upload artifactregistry.kfpartifacts.create artifactregistry.locations.get artifactregistry.locations.list artifactregistry.mavenartifacts.get artifactregistry.mavenartifacts.list artifactregistry.npmpackages.get artifactregistry.npmpackages.list artifactregistry.packages.get artifactregistry.packages.list artifactregistry.packages.update artifactregistry.projectconfigs.get artifactregistry.projectsettings.get artifactregistry.pythonpackages.get artifactregistry.pythonpackages.list artifactregistry.repositories.createOnPush artifactregistry.repositories.deleteArtifacts artifactregistry.repositories.downloadArtifacts artifactregistry.repositories.exportArtifacts artifactregistry.repositories.get artifactregistry.repositories.list artifactregistry.repositories.listEffectiveTags artifactregistry.repositories.listTagBindings artifactregistry.repositories.readViaVirtualRepository artifactregistry.repositories.uploadArtifacts artifactregistry.rules.get artifactregistry.rules.list artifactregistry.tags.create artifactregistry.tags.get artifactregistry.tags.list artifactregistry.tags.update artifactregistry.versions.get artifactregistry.versions.list artifactregistry.yumartifacts.create cloudbuild.builds.create cloudbuild.builds.get cloudbuild.builds.list cloudbuild.builds.update cloudbuild.locations.get cloudbuild.locations.list cloudbuild.operations.get cloudbuild.operations.list cloudbuild.workerpools.use compute.images.create containeranalysis.occurrences.create containeranalysis.occurrences.delete containeranalysis.occurrences.get containeranalysis.occurrences.list containeranalysis.occurrences.update logging.logEntries.create logging.logEntries.list logging.views.access pubsub.topics.create pubsub.topics.publish remotebuildexecution.blobs.get resourcemanager.projects.get resourcemanager.projects.list source.repos.get source.repos.list storage.buckets.create storage.buckets.get storage.buckets.list storage.objects.create storage.objects.delete storage.objects.get storage.objects.list storage.objects.update'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/cloudbuild.builds.viewer',
    title: 'Cloud Build Viewer',
    description: 'Can view builds',
    includedPermissions:
      'cloudbuild.builds.get cloudbuild.builds.list cloudbuild.locations.get cloudbuild.locations.list cloudbuild.operations.get cloudbuild.operations.list remotebuildexecution.blobs.get resourcemanager.projects.get resourcemanager.projects.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/cloudbuild.serviceAgent',
    title: 'Cloud Build Service Agent',
    description: 'Gives Cloud Build service account access to managed resources.',
    includedPermissions:
      'artifactregistry.aptartifacts.create artifactregistry.attachments.create artifactregistry.attachments.delete artifactregistry.attachments.get artifactregistry.attachments.list artifactregistry.dockerimages.get artifactregistry.dockerimages.list artifactregistry.files.download artifactregistry.files.get artifactregistry.files.list artifactregistry.files.update artifactregistry.files.upload artifactregistry.kfpartifacts.create artifactregistry.locations.get artifactregistry.locations.list artifactregistry.mavenartifacts.get artifactregistry.mavenartifacts.list artifactregistry.npmpackages.get artifactregistry.npmpackages.list artifactregistry.packages.get artifactregistry.packages.list artifactregistry.packages.update artifactregistry.projectconfigs.get artifactregistry.projectsettings.get artifactregistry.pythonpackages.get artifactregistry.pythonpackages.list artifactregistry.repositories.createOnPush artifactregistry.repositories.deleteArtifacts artifactregistry.repositories.downloadArtifacts artifactregistry.repositories.exportArtifacts artifactregistry.repositories.get artifactregistry.repositories.list artifactregistry.repositories.listEffectiveTags artifactregistry.repositories.listTagBindings artifactregistry.repositories.readViaVirtualRepository artifactregistry.repositories.uploadArtifacts artifactregistry.rules.get artifactregistry.rules.list artifactregistry.tags.create artifactregistry.tags.get artifactregistry.tags.list artifactregistry.tags.update artifactregistry.versions.get artifactregistry.versions.list artifactregistry.yumartifacts.create binaryauthorization.attestors.create binaryauthorization.attestors.delete binaryauthorization.attestors.get binaryauthorization.attestors.list binaryauthorization.attestors.update binaryauthorization.attestors.verifyImageAttested cloudbuild.builds.create cloudbuild.builds.get cloudbuild.builds.list cloudbuild.builds.update cloudbuild.connections.get cloudbuild.locations.get cloudbuild.locations.list cloudbuild.operations.get cloudbuild.operations.list cloudbuild.repositories.accessReadToken cloudbuild.repositories.accessReadWriteToken cloudbuild.repositories.get cloudbuild.repositories.list cloudbuild.workerpools.use compute.firewalls.get compute.firewalls.list compute.images.create compute.networkAttachments.get compute.networkAttachments.update compute.networks.get compute.regionOperations.get compute.subnetworks.get containeranalysis.notes.attachOccurrence containeranalysis.notes.create containeranalysis.notes.delete containeranalysis.notes.get containeranalysis.notes.list containeranalysis.notes.update containeranalysis.occurrences.create containeranalysis.occurrences.delete containeranalysis.occurrences.get containeranalysis.occurrences.list containeranalysis.occurrences.update developerconnect.connections.get developerconnect.gitRepositoryLinks.fetchReadToken developerconnect.gitRepositoryLinks.fetchReadWriteToken developerconnect.gitRepositoryLinks.get iam.serviceAccounts.get iam.serviceAccounts.getAccessToken iam.serviceAccounts.getOpenIdToken logging.buckets.create logging.buckets.get logging.buckets.list logging.logEntries.create logging.logEntries.list logging.views.access pubsub.subscriptions.create pubsub.subscriptions.delete pubsub.subscriptions.get pubsub.subscriptions.update pubsub.topics.attachSubscription pubsub.topics.create pubsub.topics.get pubsub.topics.publish remotebuildexecution.blobs.get resourcemanager.projects.get resourcemanager.projects.list servicedirectory.endpoints.get servicedirectory.endpoints.getIamPolicy servicedirectory.endpoints.list servicedirectory.locations.get servicedirectory.locations.list servicedirectory.namespaces.get servicedirectory.namespaces.getIamPolicy servicedirectory.namespaces.list servicedirectory.networks.access servicedirectory.services.get servicedirectory.services.getIamPolicy servicedirectory.services.list servicedirectory.services.resolve serviceusage.services.use source.repos.get source.repos.list storage.buckets.create storage.buckets.get storage.buckets.list storage.objects.create storage.objects.delete storage.objects.get storage.objects.list storage.objects.update'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/storage.admin',
    title: 'Storage Admin',
    description: 'Grants full control of buckets and objects.',
    includedPermissions:
      'cloudaicompanion.instances.completeTask cloudkms.keyHandles.create cloudkms.keyHandles.get cloudkms.keyHandles.list cloudkms.operations.get cloudkms.projects.showEffectiveAutokeyConfig firebase.projects.get monitoring.metricDescriptors.list monitoring.monitoredResourceDescriptors.list monitoring.timeSeries.create monitoring.timeSeries.list orgpolicy.policy.get recommender.iamPolicyInsights.get recommender.iamPolicyInsights.list recommender.iamPolicyInsights.update recommender.iamPolicyRecommendations.get recommender.iamPolicyRecommendations.list recommender.iamPolicyRecommendations.update recommender.storageBucketSoftDeleteInsights.get recommender.storageBucketSoftDeleteInsights.list recommender.storageBucketSoftDeleteInsights.update recommender.storageBucketSoftDeleteRecommendations.get recommender.storageBucketSoftDeleteRecommendations.list recommender.storageBucketSoftDeleteRecommendations.update resourcemanager.hierarchyNodes.listEffectiveTags resourcemanager.projects.get resourcemanager.projects.list storage.anywhereCaches.create storage.anywhereCaches.disable storage.anywhereCaches.get storage.anywhereCaches.list storage.anywhereCaches.pause storage.anywhereCaches.resume storage.anywhereCaches.update storage.bucketOperations.cancel storage.bucketOperations.get storage.bucketOperations.list storage.buckets.create storage.buckets.createTagBinding storage.buckets.delete storage.buckets.deleteTagBinding storage.buckets.enableObjectRetention storage.buckets.get storage.buckets.getIamPolicy storage.buckets.getIpFilter storage.buckets.getObjectInsights storage.buckets.list storage.buckets.listEffectiveTags storage.buckets.listTagBindings storage.buckets.relocate storage.buckets.restore storage.buckets.setIamPolicy storage.buckets.setIpFilter storage.buckets.update storage.buckets.viewIntelligenceDetails storage.featureConfigs.create storage.featureConfigs.delete storage.featureConfigs.get storage.featureConfigs.list storage.featureConfigs.update storage.folders.create storage.folders.delete storage.folders.get storage.folders.list storage.folders.rename storage.intelligenceConfigs.get storage.intelligenceConfigs.update storage.managedFolders.create storage.managedFolders.delete storage.managedFolders.get storage.managedFolders.getIamPolicy storage.managedFolders.list storage.managedFolders.setIamPolicy storage.multipartUploads.abort storage.multipartUploads.create storage.multipartUploads.list storage.multipartUploads.listParts storage.objects.create storage.objects.createContext storage.objects.delete storage.objects.deleteContext storage.objects.get storage.objects.getIamPolicy storage.objects.list storage.objects.move storage.objects.overrideUnlockedRetention storage.objects.restore storage.objects.setIamPolicy storage.objects.setRetention storage.objects.update storage.objects.updateContext storagebatchoperations.bucketOperations.get storagebatchoperations.bucketOperations.list storagebatchoperations.jobs.cancel storagebatchoperations.jobs.create storagebatchoperations.jobs.delete storagebatchoperations.jobs.get storagebatchoperations.jobs.list storagebatchoperations.locations.get storagebatchoperations.locations.list storagebatchoperations.operations.cancel storagebatchoperations.operations.delete storagebatchoperations.operations.get storagebatchoperations.operations.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/storage.objectAdmin',
    title: 'Storage Object Admin',
    description: 'Grants full control over objects, including listing, creating, viewing, and deleting objects.',
    includedPermissions:
      'monitoring.timeSeries.create orgpolicy.policy.get resourcemanager.projects.get resourcemanager.projects.list storage.folders.create storage.folders.delete storage.folders.get storage.folders.list storage.folders.rename storage.managedFolders.create storage.managedFolders.delete storage.managedFolders.get storage.managedFolders.list storage.multipartUploads.abort storage.multipartUploads.create storage.multipartUploads.list storage.multipartUploads.listParts storage.objects.create storage.objects.createContext storage.objects.delete storage.objects.deleteContext storage.objects.get storage.objects.getIamPolicy storage.objects.list storage.objects.move storage.objects.overrideUnlockedRetention storage.objects.restore storage.objects.setIamPolicy storage.objects.setRetention storage.objects.update storage.objects.updateContext'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/storage.objectUser',
    title: 'Storage Object User',
    description: 'Access to create, read, update and delete objects and multipart uploads in GCS.',
    includedPermissions:
      'monitoring.timeSeries.create orgpolicy.policy.get resourcemanager.projects.get resourcemanager.projects.list storage.folders.create storage.folders.delete storage.folders.get storage.folders.list storage.folders.rename storage.managedFolders.create storage.managedFolders.delete storage.managedFolders.get storage.managedFolders.list storage.multipartUploads.abort storage.multipartUploads.create storage.multipartUploads.list storage.multipartUploads.listParts storage.objects.create storage.objects.createContext storage.objects.delete storage.objects.deleteContext storage.objects.get storage.objects.list storage.objects.move storage.objects.restore storage.objects.update storage.objects.updateContext'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/storage.objectViewer',
    title: 'Storage Object Viewer',
    description: 'Grants access to view objects and their metadata, excluding ACLs. Can also list the objects in a bucket.',
    includedPermissions:
      'resourcemanager.projects.get resourcemanager.projects.list storage.folders.get storage.folders.list storage.managedFolders.get storage.managedFolders.list storage.objects.get storage.objects.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/storage.objectCreator',
    title: 'Storage Object Creator',
    description: 'Allows users to create objects. Does not give permission to view, delete, or replace objects.',
    includedPermissions:
      'orgpolicy.policy.get resourcemanager.projects.get resourcemanager.projects.list storage.folders.create storage.managedFolders.create storage.multipartUploads.abort storage.multipartUploads.create storage.multipartUploads.listParts storage.objects.create storage.objects.createContext'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/cloudsql.admin',
    title: 'Cloud SQL Admin',
    description: 'Full control of Cloud SQL resources.',
    includedPermissions:
      'backupdr.backupPlanAssociations.createForCloudSqlInstance backupdr.backupPlanAssociations.deleteForCloudSqlInstance backupdr.backupPlanAssociations.fetchForCloudSqlInstance backupdr.backupPlanAssociations.getForCloudSqlInstance backupdr.backupPlanAssociations.triggerBackupForCloudSqlInstance backupdr.backupPlanAssociations.updateForCloudSqlInstance backupdr.backupPlans.get backupdr.backupPlans.list backupdr.backupPlans.useForCloudSqlInstance backupdr.backupVaults.get backupdr.backupVaults.list backupdr.bvbackups.fetchForCloudSqlInstance backupdr.bvbackups.useReadOnlyForCloudSqlInstance backupdr.bvdataSources.useReadOnlyForCloudSqlInstance backupdr.dataSourceReferences.fetchForCloudSqlInstance backupdr.dataSourceReferences.getForCloudSqlInstance backupdr.locations.list backupdr.operations.get backupdr.serviceConfig.initialize cloudaicompanion.companions.generateChat cloudaicompanion.companions.generateCode cloudaicompanion.entitlements.get cloudaicompanion.instances.completeCode cloudaicompanion.instances.generateCode cloudkms.keyHandles.create cloudkms.keyHandles.get cloudkms.keyHandles.list cloudkms.operations.get cloudkms.projects.showEffectiveAutokeyConfig cloudsql.backupRuns.create cloudsql.backupRuns.delete cloudsql.backupRuns.export cloudsql.backupRuns.get cloudsql.backupRuns.list cloudsql.backupRuns.update cloudsql.blueGreenDeployments.create cloudsql.blueGreenDeployments.delete cloudsql.blueGreenDeployments.get cloudsql.blueGreenDeployments.list cloudsql.blueGreenDeployments.switchover cloudsql.databases.create cloudsql.databases.delete cloudsql.databases.get cloudsql.databases.list cloudsql.databases.update cloudsql.instances.addEntraIdCertificate cloudsql.instances.addServerCa cloudsql.instances.addServerCertificate cloudsql.instances.cancelAgentSession cloudsql.instances.clone cloudsql.instances.connect cloudsql.instances.create cloudsql.instances.createBackupDrBackup cloudsql.instances.createTagBinding cloudsql.instances.createTestingAgentSession cloudsql.instances.delete cloudsql.instances.deleteTagBinding cloudsql.instances.demoteMaster cloudsql.instances.executeSql cloudsql.instances.export cloudsql.instances.failover cloudsql.instances.get cloudsql.instances.getAgentSession cloudsql.instances.getDiskShrinkConfig cloudsql.instances.import cloudsql.instances.list cloudsql.instances.listAgentSessions cloudsql.instances.listEffectiveTags cloudsql.instances.listEntraIdCertificates cloudsql.instances.listServerCas cloudsql.instances.listServerCertificates cloudsql.instances.listTagBindings cloudsql.instances.login cloudsql.instances.manageEncryption cloudsql.instances.migrate cloudsql.instances.performDiskShrink cloudsql.instances.preCheckMajorVersionUpgrade cloudsql.instances.promoteReplica cloudsql.instances.reencrypt cloudsql.instances.resetReplicaSize cloudsql.instances.resetSslConfig cloudsql.instances.restart cloudsql.instances.restoreBackup cloudsql.instances.rotateEntraIdCertificate cloudsql.instances.rotateServerCa cloudsql.instances.rotateServerCertificate cloudsql.instances.startReplica cloudsql.instances.stopReplica cloudsql.instances.truncateLog cloudsql.instances.update cloudsql.instances.updateBackupDrConfig cloudsql.schemas.view cloudsql.sslCerts.create cloudsql.sslCerts.delete cloudsql.sslCerts.get cloudsql.sslCerts.list cloudsql.users.create cloudsql.users.delete cloudsql.users.get cloudsql.users.list cloudsql.users.update databasesconsole.locations.get databasesconsole.locations.list databasesconsole.studioQueries.create databasesconsole.studioQueries.delete databasesconsole.studioQueries.get databasesconsole.studioQueries.list databasesconsole.studioQueries.search databasesconsole.studioQueries.update monitoring.timeSeries.list recommender.cloudsqlIdleInstanceRecommendations.get recommender.cloudsqlIdleInstanceRecommendations.list recommender.cloudsqlIdleInstanceRecommendations.update recommender.cloudsqlInstanceActivityInsights.get recommender.cloudsqlInstanceActivityInsights.list recommender.cloudsqlInstanceActivityInsights.update recommender.cloudsqlInstanceCpuUsageInsights.get recommender.cloudsqlInstanceCpuUsageInsights.list recommender.cloudsqlInstanceCpuUsageInsights.update recommender.cloudsqlInstanceDiskUsageTrendInsights.get recommender.cloudsqlInstanceDiskUsageTrendInsights.list recommender.cloudsqlInstanceDiskUsageTrendInsights.update recommender.cloudsqlInstanceMemoryUsageInsights.get recommender.cloudsqlInstanceMemoryUsageInsights.list recommender.cloudsqlInstanceMemoryUsageInsights.update recommender.cloudsqlInstanceOomProbabilityInsights.get recommender.cloudsqlInstanceOomProbabilityInsights.list recommender.cloudsqlInstanceOomProbabilityInsights.update recommender.cloudsqlInstanceOutOfDiskRecommendations.get recommender.cloudsqlInstanceOutOfDiskRecommendations.list recommender.cloudsqlInstanceOutOfDiskRecommendations.update recommender.cloudsqlInstancePerformanceInsights.get recommender.cloudsqlInstancePerformanceInsights.list recommender.cloudsqlInstancePerformanceInsights.update recommender.cloudsqlInstancePerformanceRecommendations.get recommender.cloudsqlInstancePerformanceRecommendations.list recommender.cloudsqlInstancePerformanceRecommendations.update recommender.cloudsqlInstanceReliabilityInsights.get recommender.cloudsqlInstanceReliabilityInsights.list recommender.cloudsqlInstanceReliabilityInsights.update recommender.cloudsqlInstanceReliabilityRecommendations.get recommender.cloudsqlInstanceReliabilityRecommendations.list recommender.cloudsqlInstanceReliabilityRecommendations.update recommender.cloudsqlInstanceSecurityInsights.get recommender.cloudsqlInstanceSecurityInsights.list recommender.cloudsqlInstanceSecurityInsights.update recommender.cloudsqlInstanceSecurityRecommendations.get recommender.cloudsqlInstanceSecurityRecommendations.list recommender.cloudsqlInstanceSecurityRecommendations.update recommender.cloudsqlInstanceUnderprovisionedCpuUsageInsights.get recommender.cloudsqlInstanceUnderprovisionedCpuUsageInsights.list recommender.cloudsqlInstanceUnderprovisionedCpuUsageInsights.update recommender.cloudsqlInstanceUnderprovisionedMemoryUsageInsights.get recommender.cloudsqlInstanceUnderprovisionedMemoryUsageInsights.list recommender.cloudsqlInstanceUnderprovisionedMemoryUsageInsights.update recommender.cloudsqlOverprovisionedInstanceRecommendations.get recommender.cloudsqlOverprovisionedInstanceRecommendations.list recommender.cloudsqlOverprovisionedInstanceRecommendations.update recommender.cloudsqlUnderProvisionedInstanceRecommendations.get recommender.cloudsqlUnderProvisionedInstanceRecommendations.list recommender.cloudsqlUnderProvisionedInstanceRecommendations.update resourcemanager.projects.get resourcemanager.projects.list serviceusage.consumerpolicy.analyze serviceusage.consumerpolicy.get serviceusage.effectivepolicy.get serviceusage.groups.list serviceusage.groups.listExpandedMembers serviceusage.groups.listMembers serviceusage.quotas.get serviceusage.services.get serviceusage.services.list serviceusage.values.test'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/cloudsql.client',
    title: 'Cloud SQL Client',
    description: 'Connectivity access to Cloud SQL instances.',
    includedPermissions: 'cloudsql.instances.connect cloudsql.instances.get'.split(' '),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/redis.admin',
    title: 'Cloud Memorystore Redis Admin',
    description: 'Full access to Redis instances and related resources.',
    includedPermissions:
      'cloudkms.keyHandles.create cloudkms.keyHandles.get cloudkms.keyHandles.list cloudkms.operations.get cloudkms.projects.showEffectiveAutokeyConfig compute.networks.list networkconnectivity.serviceConnectionPolicies.list redis.aclPolicies.create redis.aclPolicies.delete redis.aclPolicies.get redis.aclPolicies.list redis.aclPolicies.update redis.backupCollections.create redis.backupCollections.delete redis.backupCollections.get redis.backupCollections.list redis.backups.create redis.backups.delete redis.backups.export redis.backups.get redis.backups.list redis.clusters.backup redis.clusters.connect redis.clusters.create redis.clusters.delete redis.clusters.get redis.clusters.list redis.clusters.rescheduleMaintenance redis.clusters.update redis.instances.create redis.instances.createTagBinding redis.instances.delete redis.instances.deleteTagBinding redis.instances.export redis.instances.failover redis.instances.get redis.instances.getAuthString redis.instances.import redis.instances.list redis.instances.listEffectiveTags redis.instances.listTagBindings redis.instances.rescheduleMaintenance redis.instances.update redis.instances.updateAuth redis.instances.upgrade redis.locations.get redis.locations.list redis.operations.cancel redis.operations.delete redis.operations.get redis.operations.list resourcemanager.projects.get resourcemanager.projects.list serviceusage.services.use'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/redis.viewer',
    title: 'Cloud Memorystore Redis Viewer',
    description: 'Read-only access to Redis instances and related resources.',
    includedPermissions:
      'redis.aclPolicies.get redis.aclPolicies.list redis.backupCollections.get redis.backupCollections.list redis.backups.get redis.backups.list redis.clusters.get redis.clusters.list redis.instances.get redis.instances.list redis.instances.listEffectiveTags redis.instances.listTagBindings redis.locations.get redis.locations.list redis.operations.get redis.operations.list resourcemanager.projects.get resourcemanager.projects.list serviceusage.services.use'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/logging.logWriter',
    title: 'Logs Writer',
    description: 'Access to write logs.',
    includedPermissions: 'logging.logEntries.create logging.logEntries.route'.split(' '),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/logging.viewer',
    title: 'Logs Viewer',
    description: 'Access to view logs, except for logs with private contents.',
    includedPermissions:
      'logging.buckets.get logging.buckets.list logging.exclusions.get logging.exclusions.list logging.links.get logging.links.list logging.locations.get logging.locations.list logging.logEntries.list logging.logMetrics.get logging.logMetrics.list logging.logScopes.get logging.logScopes.list logging.logServiceIndexes.list logging.logServices.list logging.logs.list logging.operations.get logging.operations.list logging.queries.getShared logging.queries.listShared logging.queries.usePrivate logging.sinks.get logging.sinks.list logging.usage.get logging.views.get logging.views.list observability.scopes.get resourcemanager.projects.get'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/monitoring.metricWriter',
    title: 'Monitoring Metric Writer',
    description:
      'Write-only access to metrics.  This provides exactly the permissions needed by the Stackdriver agent and other systems that send metrics.',
    includedPermissions:
      'monitoring.metricDescriptors.create monitoring.metricDescriptors.get monitoring.metricDescriptors.list monitoring.monitoredResourceDescriptors.get monitoring.monitoredResourceDescriptors.list monitoring.timeSeries.create'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/vpcaccess.user',
    title: 'Serverless VPC Access User',
    description: 'User of Serverless VPC Access connectors',
    includedPermissions:
      'compute.networks.access resourcemanager.projects.get resourcemanager.projects.list vpcaccess.connectors.get vpcaccess.connectors.list vpcaccess.locations.list vpcaccess.operations.get vpcaccess.operations.list'.split(
        ' ',
      ),
    stage: 'GA',
    etag: 'AA==',
  },
  {
    name: 'roles/file.editor',
    title: 'Cloud Filestore Editor',
    description: 'Read-write access to Filestore instances and related resources.',
    includedPermissions:
      'backupdr.backupPlanAssociations.createForFilestoreInstance backupdr.backupPlanAssociations.deleteForFilestoreInstance backupdr.backupPlanAssociations.fetchForFilestoreInstance backupdr.backupPlanAssociations.getForFilestoreInstance backupdr.backupPlanAssociations.triggerBackupForFilestoreInstance backupdr.backupPlanAssociations.updateForFilestoreInstance backupdr.backupPlans.get backupdr.backupPlans.list backupdr.backupPlans.useForFilestoreInstance backupdr.backupVaults.get backupdr.backupVaults.list backupdr.bvbackups.useReadOnlyForFilestoreInstance backupdr.dataSourceReferences.fetchForFilestoreInstance backupdr.dataSourceReferences.getForFilestoreInstance backupdr.locations.list backupdr.operations.get backupdr.serviceConfig.initialize cloudkms.keyHandles.create cloudkms.keyHandles.get cloudkms.keyHandles.list cloudkms.operations.get cloudkms.projects.showEffectiveAutokeyConfig file.backups.create file.backups.createTagBinding file.backups.delete file.backups.deleteTagBinding file.backups.get file.backups.list file.backups.listEffectiveTags file.backups.listTagBindings file.backups.update file.backups.useReadOnly file.instances.create file.instances.createCrossProjectBackup file.instances.createTagBinding file.instances.delete file.instances.deleteTagBinding file.instances.get file.instances.list file.instances.listEffectiveTags file.instances.listTagBindings file.instances.restore file.instances.revert file.instances.update file.locations.get file.locations.list file.operations.cancel file.operations.delete file.operations.get file.operations.list file.snapshots.create file.snapshots.createTagBinding file.snapshots.delete file.snapshots.deleteTagBinding file.snapshots.get file.snapshots.list file.snapshots.listEffectiveTags file.snapshots.listTagBindings file.snapshots.update'.split(
        ' ',
      ),
    stage: 'BETA',
    etag: 'AA==',
  },
];
