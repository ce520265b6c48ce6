// IAM v1 roles (part of the IAM API, assembled in ./iam.ts): project custom roles (create, get, list,
// patch, delete, undelete — soft delete as Google documents), the predefined roles the emulator bundles
// (roles.get/list), and permissions.queryTestablePermissions for projects. A custom role's permissions
// must be known to the emulator and valid at project level (core/iam-catalog.ts).
import { randomBytes } from 'node:crypto';
import { restRoute, type CallContext, type RestRoute } from '../core/api.js';
import {
  ROLES_COLLECTION,
  customRoleKey,
  customRoleRecord,
  isPermanentlyDeleted,
  type CustomRoleRecord,
  type RoleStage,
} from '../core/custom-roles.js';
import { ApiError, unknownFieldError } from '../core/errors.js';
import { sameEtag } from '../core/iam-policy.js';
import { predefinedRole, predefinedRoles, projectPermissions, type PredefinedRole } from '../core/iam-catalog.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { paginate } from '../core/pagination.js';
import type { ProjectRecord } from '../core/projects.js';
import type { EmulatorServices } from '../core/services.js';

const API = 'iam.googleapis.com';
const RPC = 'google.iam.admin.v1.IAM';

const PROJECT_PARENT = /^projects\/([^/]+)$/;
const CUSTOM_ROLE_NAME = /^projects\/([^/]+)\/roles\/([^/]+)$/;
/** "A role ID may contain alphanumeric characters, underscores (_), and periods (.). It must contain a minimum of 3 characters and a maximum of 64 characters." */
const ROLE_ID = /^[A-Za-z0-9_.]{3,64}$/;
const STAGES = new Set<RoleStage>(['ALPHA', 'BETA', 'GA', 'DEPRECATED', 'DISABLED', 'EAP']);
const ROLE_FIELDS = new Set(['name', 'title', 'description', 'includedPermissions', 'stage', 'etag', 'deleted']);
const ROLE_MASK = new Map([
  ['title', 'title'],
  ['description', 'description'],
  ['included_permissions', 'includedPermissions'],
  ['includedPermissions', 'includedPermissions'],
  ['stage', 'stage'],
]);
/** Google's documented custom-role limits: 3,000 permissions, 64 KB in all, a title of at most 100 UTF-8 bytes. */
const MAX_PERMISSIONS = 3000;
const MAX_ROLE_BYTES = 64 * 1024;
const MAX_TITLE_BYTES = 100;

function invalid(message: string): ApiError {
  return new ApiError('INVALID_ARGUMENT', message);
}

function roleNotFound(name: string): ApiError {
  return new ApiError('NOT_FOUND', `The role named ${name} was not found.`);
}

/** 8 random bytes, base64, like Google's role etags (`BwYd3dWlqAk=`). */
function newEtag(): string {
  return randomBytes(8).toString('base64');
}

function roles(services: EmulatorServices) {
  return services.store.collection<CustomRoleRecord>(ROLES_COLLECTION);
}

function projectOfParent(parent: string, services: EmulatorServices): ProjectRecord {
  const match = PROJECT_PARENT.exec(parent);
  if (!match) throw invalid(`Invalid parent: ${parent}.`);
  return services.projects.require(match[1], API);
}

// -------------------------------------------------------------------------------------------
// Rendering

function customRoleJson(role: CustomRoleRecord, full = true): JsonObject {
  const json: JsonObject = { name: customRoleKey(role.projectId, role.roleId) };
  if (role.title) json.title = role.title;
  if (role.description) json.description = role.description;
  if (full && role.includedPermissions.length > 0) json.includedPermissions = [...role.includedPermissions];
  // "If the ALPHA launch stage has been selected for a role, the stage field will not be included."
  if (role.stage !== 'ALPHA') json.stage = role.stage;
  json.etag = role.etag;
  if (role.deleted) json.deleted = true;
  return json;
}

/** Google's predefined roles answer the etag `AA==` (empty bytes): they have no versions to guard. */
const PREDEFINED_ROLE_ETAG = 'AA==';

function predefinedRoleJson(role: PredefinedRole, full = true): JsonObject {
  const json: JsonObject = { name: role.name, title: role.title, description: role.description };
  if (full) json.includedPermissions = [...role.includedPermissions];
  json.stage = role.stage;
  json.etag = PREDEFINED_ROLE_ETAG;
  return json;
}

// -------------------------------------------------------------------------------------------
// Validation

function checkRoleFields(body: JsonObject): void {
  for (const field of Object.keys(body)) if (!ROLE_FIELDS.has(field)) throw unknownFieldError(field, 'role');
}

/** The permissions as Google stores them (order kept, duplicates dropped), each valid in a project custom role. */
function validPermissions(value: unknown, services: EmulatorServices): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('included_permissions must be a list of permission names.');
  const permissions = [...new Set(value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))))];
  const valid = new Set(projectPermissions(services.checkedPermissions).map((info) => info.name));
  for (const permission of permissions) {
    // Names the emulator does not know and permissions that do not apply to projects.
    if (!valid.has(permission)) throw invalid(`Permission ${permission} is not valid.`);
  }
  if (permissions.length > MAX_PERMISSIONS) throw invalid(`A custom role can include at most ${MAX_PERMISSIONS} permissions.`);
  return permissions;
}

function validStage(value: unknown): RoleStage {
  if (value === undefined || value === null || value === '') return 'ALPHA';
  if (typeof value !== 'string' || !STAGES.has(value as RoleStage))
    throw invalid(`Invalid value at 'role.stage' (TYPE_ENUM), ${JSON.stringify(value)}`);
  return value as RoleStage;
}

function checkSizes(role: Pick<CustomRoleRecord, 'title' | 'description' | 'includedPermissions'>): void {
  if (Buffer.byteLength(role.title ?? '') > MAX_TITLE_BYTES) throw invalid(`The role title must be at most ${MAX_TITLE_BYTES} bytes.`);
  const size = Buffer.byteLength(role.title ?? '') + Buffer.byteLength(role.description ?? '') + role.includedPermissions.join('').length;
  if (size > MAX_ROLE_BYTES) throw invalid('The custom role exceeds the maximum size of 64 KB.');
}

function checkEtag(requested: unknown, role: CustomRoleRecord): void {
  if (typeof requested === 'string' && requested !== '' && !sameEtag(requested, role.etag)) {
    throw new ApiError(
      'ABORTED',
      'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
    );
  }
}

// -------------------------------------------------------------------------------------------
// Custom roles

interface RoleRef {
  project: ProjectRecord;
  roleId: string;
  name: string;
}

function parseRoleName(name: string, services: EmulatorServices): RoleRef {
  const match = CUSTOM_ROLE_NAME.exec(name);
  if (!match) throw invalid(`Invalid role name: ${name}.`);
  const project = services.projects.require(match[1], API);
  return { project, roleId: match[2], name: customRoleKey(project.projectId, match[2]) };
}

/** A role that exists for reading (deleted ones included while they can be undeleted). */
function findRole(ref: RoleRef, ctx: CallContext): CustomRoleRecord {
  const role = customRoleRecord(ctx.store, ref.project.projectId, ref.roleId, ctx.now);
  if (!role || isPermanentlyDeleted(role, ctx.now)) throw roleNotFound(ref.name);
  return role;
}

function saveRole(ctx: CallContext, role: CustomRoleRecord): JsonObject {
  roles(ctx).set(customRoleKey(role.projectId, role.roleId), role);
  return customRoleJson(role);
}

function createRole(request: { parent: string; roleId?: string; role?: JsonObject }, ctx: CallContext): JsonObject {
  const project = projectOfParent(request.parent, ctx);
  const roleId = request.roleId ?? '';
  if (!ROLE_ID.test(roleId)) {
    throw invalid(`The role ID "${roleId}" is invalid: it must be 3 to 64 characters of letters, digits, underscores (_) and periods (.).`);
  }
  const body = request.role ?? {};
  if (!isJsonObject(body)) throw invalid('role must be an object.');
  checkRoleFields(body);
  // "When Role is used in CreateRole, the role name must not be set."
  if (typeof body.name === 'string' && body.name !== '') throw invalid('The role name must not be set when creating a role.');
  const role: CustomRoleRecord = {
    projectId: project.projectId,
    roleId,
    ...(typeof body.title === 'string' && body.title ? { title: body.title } : {}),
    ...(typeof body.description === 'string' && body.description ? { description: body.description } : {}),
    includedPermissions: validPermissions(body.includedPermissions, ctx),
    stage: validStage(body.stage),
    etag: newEtag(),
  };
  checkSizes(role);
  // A deleted role keeps its id until 37 days after the deletion.
  if (customRoleRecord(ctx.store, project.projectId, roleId, ctx.now)) {
    throw new ApiError('ALREADY_EXISTS', `A role named ${roleId} in projects/${project.projectId} already exists.`);
  }
  return saveRole(ctx, role);
}

function patchRole(request: { name: string; updateMask?: string; role?: JsonObject }, ctx: CallContext): JsonObject {
  const role = findRole(parseRoleName(request.name, ctx), ctx);
  const body = request.role ?? {};
  if (!isJsonObject(body)) throw invalid('role must be an object.');
  checkRoleFields(body);
  checkEtag(body.etag, role);
  if (role.deleted) throw new ApiError('FAILED_PRECONDITION', `The role ${request.name} is deleted; undelete it before updating it.`);
  const requested = (request.updateMask ?? '')
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean);
  // Without a mask every updatable field is taken from the request.
  const fields = requested.length > 0 ? requested : ['title', 'description', 'includedPermissions', 'stage'];
  const updated: CustomRoleRecord = { ...role, includedPermissions: [...role.includedPermissions] };
  for (const path of fields) {
    const field = ROLE_MASK.get(path);
    if (!field)
      throw invalid(`Invalid update_mask path "${path}": a role's title, description, included_permissions and stage can be updated.`);
    if (field === 'includedPermissions') updated.includedPermissions = validPermissions(body.includedPermissions, ctx);
    else if (field === 'stage') updated.stage = validStage(body.stage);
    else {
      const text = body[field];
      if (typeof text === 'string' && text !== '') updated[field as 'title' | 'description'] = text;
      else delete updated[field as 'title' | 'description'];
    }
  }
  checkSizes(updated);
  updated.etag = newEtag();
  return saveRole(ctx, updated);
}

function customRoleRoutes(): RestRoute[] {
  const name = (request: { name: string }) => request.name;
  return [
    restRoute<{ parent: string; roleId?: string; role?: JsonObject }>({
      verb: 'POST',
      path: '/v1/{parent=projects/*}/roles',
      body: '*',
      rpcName: `${RPC}/CreateRole`,
      permission: 'iam.roles.create',
      resource: (request) => `${request.parent}/roles/${request.roleId ?? ''}`,
      handle: createRole,
    }),
    restRoute<{ name: string }>({
      verb: 'GET',
      path: '/v1/{name=projects/*/roles/*}',
      rpcName: `${RPC}/GetRole`,
      permission: 'iam.roles.get',
      resource: name,
      handle: (request, ctx) => customRoleJson(findRole(parseRoleName(request.name, ctx), ctx)),
    }),
    restRoute<{ parent: string; pageSize?: string; pageToken?: string; view?: string; showDeleted?: string }>({
      verb: 'GET',
      path: '/v1/{parent=projects/*}/roles',
      rpcName: `${RPC}/ListRoles`,
      permission: 'iam.roles.list',
      resource: (request) => request.parent,
      handle(request, ctx) {
        const project = projectOfParent(request.parent, ctx);
        const showDeleted = request.showDeleted === 'true';
        const listed = roles(ctx)
          .values()
          .filter((role) => role.projectId === project.projectId)
          .filter((role) => customRoleRecord(ctx.store, role.projectId, role.roleId, ctx.now) && !isPermanentlyDeleted(role, ctx.now))
          .filter((role) => showDeleted || !role.deleted)
          .sort((a, b) => a.roleId.localeCompare(b.roleId));
        return listPage(listed, request, (role, full) => customRoleJson(role, full));
      },
    }),
    restRoute<{ name: string; updateMask?: string; role?: JsonObject }>({
      verb: 'PATCH',
      path: '/v1/{name=projects/*/roles/*}',
      body: 'role',
      rpcName: `${RPC}/UpdateRole`,
      permission: 'iam.roles.update',
      resource: name,
      handle: patchRole,
    }),
    restRoute<{ name: string; etag?: string }>({
      verb: 'DELETE',
      path: '/v1/{name=projects/*/roles/*}',
      rpcName: `${RPC}/DeleteRole`,
      permission: 'iam.roles.delete',
      resource: name,
      handle(request, ctx) {
        const role = findRole(parseRoleName(request.name, ctx), ctx);
        checkEtag(request.etag, role);
        if (role.deleted) throw new ApiError('FAILED_PRECONDITION', `The role ${request.name} is already deleted.`);
        return saveRole(ctx, { ...role, deleted: true, deleteTime: ctx.now, etag: newEtag() });
      },
    }),
    restRoute<{ name: string; etag?: string }>({
      verb: 'POST',
      path: '/v1/{name=projects/*/roles/*}:undelete',
      body: '*',
      rpcName: `${RPC}/UndeleteRole`,
      permission: 'iam.roles.undelete',
      resource: name,
      handle(request, ctx) {
        const role = findRole(parseRoleName(request.name, ctx), ctx);
        checkEtag(request.etag, role);
        if (!role.deleted) throw new ApiError('FAILED_PRECONDITION', `The role ${request.name} is not deleted.`);
        const restored: CustomRoleRecord = { ...role, etag: newEtag() };
        delete restored.deleted;
        delete restored.deleteTime;
        return saveRole(ctx, restored);
      },
    }),
  ];
}

function listPage<T>(
  items: T[],
  request: { pageSize?: string; pageToken?: string; view?: string },
  render: (item: T, full: boolean) => JsonObject,
): JsonObject {
  const pageSize = request.pageSize === undefined ? undefined : Number(request.pageSize);
  if (pageSize !== undefined && !Number.isInteger(pageSize)) throw invalid(`Invalid value for page_size: ${request.pageSize}`);
  if (request.view !== undefined && request.view !== 'BASIC' && request.view !== 'FULL') {
    throw invalid(`Invalid value for view: ${request.view}`);
  }
  // "The default value is BASIC, which does not return the includedPermissions field."
  const full = request.view === 'FULL';
  const page = paginate(items, pageSize, request.pageToken, { defaultSize: 300, maxSize: 1000 });
  const json: JsonObject = {};
  if (page.items.length > 0) json.roles = page.items.map((item) => render(item, full));
  if (page.nextPageToken) json.nextPageToken = page.nextPageToken;
  return json;
}

// -------------------------------------------------------------------------------------------
// Predefined roles and testable permissions

function predefinedRoleRoutes(): RestRoute[] {
  return [
    restRoute<{ name: string }>({
      verb: 'GET',
      path: '/v1/{name=roles/*}',
      rpcName: `${RPC}/GetRole`,
      resource: (request) => request.name,
      handle(request) {
        const role = predefinedRole(request.name);
        if (!role) throw roleNotFound(request.name);
        return predefinedRoleJson(role);
      },
    }),
    restRoute<{ parent?: string; pageSize?: string; pageToken?: string; view?: string; showDeleted?: string }>({
      verb: 'GET',
      path: '/v1/roles',
      rpcName: `${RPC}/ListRoles`,
      resource: () => 'roles',
      handle(request) {
        if (request.parent) {
          throw invalid(`List the custom roles of ${request.parent} at /v1/${request.parent}/roles.`);
        }
        return listPage([...predefinedRoles()], request, predefinedRoleJson);
      },
    }),
    restRoute<{ fullResourceName?: string; pageSize?: number; pageToken?: string }>({
      verb: 'POST',
      path: '/v1/permissions:queryTestablePermissions',
      body: '*',
      rpcName: `${RPC}/QueryTestablePermissions`,
      resource: (request) => request.fullResourceName ?? '',
      project: () => undefined,
      handle(request, ctx) {
        // The service part is not checked: gcloud builds it from its endpoint override (`//127.0.0.1:PORT/projects/P`).
        const match = /^\/\/[^/]+\/projects\/([^/]+)$/.exec(request.fullResourceName ?? '');
        if (!match) {
          throw invalid(
            `Testable permissions are emulated for projects only (//cloudresourcemanager.googleapis.com/projects/P), not ${request.fullResourceName ?? '(none)'}.`,
          );
        }
        const project = ctx.projects.require(match[1], API);
        // Every permission is SUPPORTED in custom roles here (Google omits the field then): the emulator knows no other level.
        const permissions = projectPermissions(ctx.checkedPermissions).map((info) => {
          const json: JsonObject = { name: info.name };
          if (!ctx.projects.isServiceEnabled(project, info.service)) json.apiDisabled = true;
          return json;
        });
        const pageSize = request.pageSize === undefined ? undefined : Number(request.pageSize);
        const page = paginate(permissions, pageSize, request.pageToken, { defaultSize: 100, maxSize: 1000 });
        return { permissions: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
      },
    }),
  ];
}

/** The role and permission routes of the IAM API. */
export function roleRoutes(): RestRoute[] {
  return [...customRoleRoutes(), ...predefinedRoleRoutes()];
}
