// One TCP port for both transports: each connection's first bytes decide. An HTTP/2 connection
// opens with the preface `PRI * HTTP/2.0` (a method no HTTP/1 client sends), so it goes to the
// grpc-js server through its connection injector; anything else goes to the HTTP/1.1 server.
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import net from 'node:net';

const HTTP2_PREFACE_START = Buffer.from('PRI');

export interface Listener {
  port: number;
  close(): Promise<void>;
}

export async function listenOnePort(
  port: number,
  grpcServer: grpc.Server,
  handleHttp: (request: http.IncomingMessage, response: http.ServerResponse) => void,
): Promise<Listener> {
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const httpServer = http.createServer({ keepAliveTimeout: 5_000 }, handleHttp);
  const sockets = new Set<net.Socket>();

  const tcpServer = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let received = Buffer.alloc(0);
    const sniff = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      if (received.length < HTTP2_PREFACE_START.length && HTTP2_PREFACE_START.subarray(0, received.length).equals(received)) return;
      socket.off('data', sniff);
      socket.pause();
      socket.unshift(received);
      if (received.subarray(0, HTTP2_PREFACE_START.length).equals(HTTP2_PREFACE_START)) {
        // The HTTP/2 session reads the bytes already buffered in the socket itself (Node ≥ 15).
        injector.injectConnection(socket);
      } else {
        httpServer.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', sniff);
    socket.on('error', () => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    tcpServer.once('error', reject);
    tcpServer.listen(port, '127.0.0.1', () => {
      tcpServer.off('error', reject);
      resolve();
    });
  });
  const address = tcpServer.address() as net.AddressInfo;

  return {
    port: address.port,
    async close() {
      injector.destroy();
      // Let in-flight calls finish, but never wait long on a client that keeps its channel open.
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          grpcServer.forceShutdown();
          resolve();
        }, 1_000);
        grpcServer.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      httpServer.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcpServer.close(() => resolve()));
      httpServer.close();
    },
  };
}
