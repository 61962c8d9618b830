#include "lib/stack_table.h"

namespace fiberscope {

uint32_t StackTable::Intern(uint32_t parent, uint32_t frame) {
  uint64_t key = (static_cast<uint64_t>(parent) << 32) | frame;
  uint32_t next = first_untaken_ + static_cast<uint32_t>(untaken_.size());
  if (next == kEmpty) {
    auto found = ids_.find(key);
    return found == ids_.end() ? kEmpty : found->second;
  }
  auto [found, added] = ids_.try_emplace(key, next);
  if (added) untaken_.push_back(Node{parent, frame});
  return found->second;
}

StackTable::Taken StackTable::Take() {
  Taken taken{first_untaken_, std::move(untaken_)};
  untaken_.clear();
  first_untaken_ += static_cast<uint32_t>(taken.nodes.size());
  return taken;
}

}  // namespace fiberscope
