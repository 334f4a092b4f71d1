/** An async function awaiting other async functions. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'async/await: an async function awaiting two async helpers and a resolved value'

/** @returns {() => Promise<unknown>} a fresh function under test */
export function create() {
  const fetchUser = async (id) => ({ id, name: `user-${id}` })
  const fetchRoles = async (user) => {
    await null
    return [user.id % 2 ? 'admin' : 'user']
  }
  let n = 0
  return async () => {
    const user = await fetchUser(n++)
    const roles = await fetchRoles(user)
    return { ...user, roles }
  }
}
