import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { createHttpServer, SERVER_TIMEOUTS } from '../../server/http-server';
import { createTestApp } from '../helpers/app';

/** Opens a raw connection, writes `data`, and resolves with what the server sent and how long until it closed. */
function stall(port: number, data: string): Promise<{ reply: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let reply = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ reply, closedAfterMs: Date.now() - started }));
    // Never finish the request; the test fails by timeout if the server never cuts it.
  });
}

describe('server timeouts', () => {
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    const { app } = createTestApp();
    server = createHttpServer(app, { headersTimeout: 300, requestTimeout: 800, keepAliveTimeout: 200, connectionsCheckingInterval: 50 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('the production values: headers 20 s, whole request 60 s, idle keep-alive 5 s, checked every second', () => {
    expect(SERVER_TIMEOUTS).toEqual({ headersTimeout: 20_000, requestTimeout: 60_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 });
  });

  test('a client that never finishes its headers is answered 408 and cut off', async () => {
    const { reply, closedAfterMs } = await stall(port, 'GET /figures HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(250);
    expect(closedAfterMs).toBeLessThan(2_000);
  });

  test('a client that sends its body too slowly is cut off at the request timeout', async () => {
    const { reply, closedAfterMs } = await stall(
      port,
      'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=a',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeLessThan(3_000);
  });

  test('an idle keep-alive connection is closed', async () => {
    const { reply, closedAfterMs } = await stall(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(closedAfterMs).toBeLessThan(2_000);
  });
});
