// The Node runtimes the end-to-end suite runs the bundle under.
export const runtimes = [{ name: `Node ${process.versions.node}`, node: process.execPath }]
