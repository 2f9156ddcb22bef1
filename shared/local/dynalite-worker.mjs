// Runs dynalite on its own thread, so the embedded database and the HTTP app do not share one core's event loop.
// Plain JavaScript (not TypeScript) so the worker starts without a loader under both tsx and node.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
server.on('error', (err) => parentPort.postMessage({ error: err.message }));
parentPort.on('message', (msg) => {
  if (msg === 'close') {
    server.closeAllConnections?.();
    server.close(() => parentPort.postMessage({ closed: true })); // dynalite closes its LevelDB with the server
  }
});
