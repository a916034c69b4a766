export { accountsRoutes, presentUser } from './accounts.routes.ts';
export {
  createApiKey,
  createUser,
  findUserByEmail,
  getUser,
  LOCALES,
  type NewUser,
  type Principal,
  ROLES,
  type Role,
  type User,
  updateUser,
} from './accounts.service.ts';
export { authenticate, requireRole } from './auth.hook.ts';
export { generatePassword } from './password.ts';
export { countHit, pruneRateWindows } from './rate-limit.ts';
