/** The files worker (built as /files-worker.js by web/build.ts): incoming files into OPFS via sync access handles. */
import { serveOpfsSink, type WorkerScopeLike } from './opfs-worker.ts';

serveOpfsSink(self as unknown as WorkerScopeLike);
