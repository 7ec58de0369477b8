// An HTTPS proxy on loopback that records every CONNECT (its target and headers) and refuses it with
// 502: proof that a request went through the runner's https_proxy, and of what the proxy saw.
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export async function startRefusingProxy() {
  const connects: Array<{ target: string; headers: string }> = []
  const proxy = createServer()
  proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
    connects.push({ target: req.url ?? '', headers: JSON.stringify(req.headers) })
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    connects,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve()))
  }
}
