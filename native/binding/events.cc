// The fiber event ring (lib/event_log.h) of the runtime. Caller holds the isolate.
#include "binding/bind.h"
#include "binding/js.h"
#include "lib/event_log.h"

namespace fiberscope {

namespace {

void EnableEvents(const FunctionCallbackInfo<Value>& args) {
  double capacity;
  if (!ToCount(args, "capacity must be a positive integer", &capacity)) return;
  if (capacity < 1)
    return ThrowRangeError(args.GetIsolate(), "capacity must be a positive integer");
  RuntimeOf(args)->events().Enable(static_cast<size_t>(capacity));
}

void DisableEvents(const FunctionCallbackInfo<Value>& args) { RuntimeOf(args)->events().Disable(); }

// drainEvents(Float64Array): fills it with (time_ns, type, fiber_id, other_id) quadruples; returns
// how many events were written.
void DrainEvents(const FunctionCallbackInfo<Value>& args) {
  if (args.Length() < 1 || !args[0]->IsFloat64Array()) {
    return ThrowTypeError(args.GetIsolate(), "drainEvents expects a Float64Array");
  }
  Local<v8::Float64Array> array = args[0].As<v8::Float64Array>();
  auto* data =
      reinterpret_cast<double*>(static_cast<char*>(array->Buffer()->Data()) + array->ByteOffset());
  size_t count = RuntimeOf(args)->events().Drain(data, array->Length() / EventLog::kFieldsPerEvent);
  args.GetReturnValue().Set(static_cast<double>(count));
}

void EventsDropped(const FunctionCallbackInfo<Value>& args) {
  args.GetReturnValue().Set(static_cast<double>(RuntimeOf(args)->events().dropped()));
}

}  // namespace

void BindEvents(const Exports& exports) {
  exports.Functions({{"enableEvents", EnableEvents},
                     {"disableEvents", DisableEvents},
                     {"drainEvents", DrainEvents},
                     {"eventsDropped", EventsDropped}});
}

}  // namespace fiberscope
