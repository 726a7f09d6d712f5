// HTTP/1.1 written to the server byte for byte: what HTTP clients refuse to send (repeated headers, malformed
// lines, huge targets) is exactly what these tests need.
import { connect } from 'node:net'

/** Writes `text` to the server as is and reads until the server closes the connection. */
export function raw (port: number, text: string): Promise<{ status: number, headers: string, body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text))
    let data = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => { data += chunk })
    socket.on('error', reject)
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n', 2)
      resolve({ status: Number(head.split(' ')[1]), headers: head, body })
    })
    socket.setTimeout(30_000, () => socket.destroy(new Error('no answer')))
  })
}
