// `fiberscope/pino`: serializers and a mixin that put stitched traces and fibers in pino logs.
import './setup';

export * from '../stitch/pino';
