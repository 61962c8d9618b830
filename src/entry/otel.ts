// `fiberscope/otel`: an OpenTelemetry span for each named fiber.
import './setup';

export {
  ATTRIBUTES,
  type FiberInstrumentation,
  type InstrumentFibersOptions,
  instrumentFibers,
} from '../otel/fibers';
