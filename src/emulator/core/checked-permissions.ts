// The IAM permissions the emulator checks, read off the API definitions (each method's `permission`
// and `alsoChecks`), never kept by hand: `--deny` can only take away what this list names, so a test
// that wants a caller holding exactly a role's permissions denies this list minus the role's.
import type { ApiDefinition, MethodBehaviour, RawHttpRoute } from './api.js';

type Declaring = Pick<MethodBehaviour, 'permission' | 'alsoChecks'> | Pick<RawHttpRoute, 'permission' | 'alsoChecks'>;

/** The permissions one method may check: its fixed `permission` and its `alsoChecks`. */
export function declaredPermissionsOf(behaviour: Declaring): string[] {
  const declared = [...(behaviour.alsoChecks ?? [])];
  if (typeof behaviour.permission === 'string') declared.push(behaviour.permission);
  return declared;
}

/** Every permission any method of `apis` checks, sorted and without duplicates. */
export function permissionsCheckedBy(apis: readonly ApiDefinition[]): string[] {
  const all = new Set<string>();
  for (const api of apis) {
    const behaviours: Declaring[] = [...Object.values(api.methods ?? {}), ...(api.restRoutes ?? []), ...(api.rawRoutes ?? [])];
    for (const behaviour of behaviours) for (const permission of declaredPermissionsOf(behaviour)) all.add(permission);
  }
  return [...all].sort();
}
