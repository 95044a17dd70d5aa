import type { Scope } from '../api/get-api-keys';

/** The scopes a key can have, as the HTTP contract names them, with what each allows. */
export const SCOPES: { value: Scope; hint: string }[] = [
  { value: 'chat', hint: 'chat with agents' },
  { value: 'sessions:read', hint: 'read sessions and their messages' },
  { value: 'sessions:write', hint: 'create, rename and delete sessions' },
  { value: 'agents:manage', hint: 'create, change and delete agents' },
  { value: 'admin', hint: 'everything a tenant admin may do' },
];
