// Which platforms a package in package-lock.json can install on, by npm's own rules for the `os`,
// `cpu` and `libc` fields: an entry names a platform, `!name` excludes one, and a list with names
// allows only those.

/** Where contributors and GitHub's hosted runners install the project. */
export const supportedPlatforms = [
  { os: 'darwin', cpu: 'arm64', libc: null },
  { os: 'darwin', cpu: 'x64', libc: null },
  { os: 'win32', cpu: 'x64', libc: null },
  { os: 'linux', cpu: 'x64', libc: 'glibc' },
  { os: 'linux', cpu: 'arm64', libc: 'glibc' }
]

/**
 * @param {string | string[] | undefined} field
 * @param {string | null} value
 */
function allows(field, value) {
  if (field === undefined || value === null) return true
  const list = Array.isArray(field) ? field : [field]
  if (list.includes(`!${value}`)) return false
  const named = list.filter((entry) => !entry.startsWith('!'))
  return named.length === 0 || named.includes(value)
}

/**
 * Packages npm must install (not optional) that cannot install on a supported platform.
 * @param {{ packages: Record<string, { optional?: boolean, os?: string | string[], cpu?: string | string[], libc?: string | string[] }> }} lockfile
 * @returns {string[]} e.g. "node_modules/x excludes darwin-arm64, win32-x64"
 */
export function platformLimitedHardPackages(lockfile) {
  return Object.entries(lockfile.packages)
    .filter(([path, entry]) => path !== '' && !entry.optional)
    .flatMap(([path, entry]) => {
      const excluded = supportedPlatforms.filter(
        (p) =>
          !(
            allows(entry.os, p.os) &&
            allows(entry.cpu, p.cpu) &&
            (p.os !== 'linux' || allows(entry.libc, p.libc))
          )
      )
      return excluded.length === 0
        ? []
        : [`${path} excludes ${excluded.map((p) => `${p.os}-${p.cpu}`).join(', ')}`]
    })
}
