/** Staff roles: editors enter and submit figures; admins also review, publish and manage. Imports nothing. */
export const ROLES = ['editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
