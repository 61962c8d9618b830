// Sampled stacks, interned as a tree: a stack is its innermost frame plus the stack of its
// callers, so each sample keeps one id however deep its stack, and a stack seen again costs
// nothing. Ids are global to a profile; Take() hands out the nodes added since the last take.
// V8-free. One thread at a time: its owner's (the sampler's, under the isolate).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace fiberscope {

class StackTable {
 public:
  // The stack of no frame: a sample without JavaScript on it. Ids fit in 30 bits (see Sample);
  // a table that ran out of them interns nothing more and returns kEmpty for a new stack.
  static constexpr uint32_t kEmpty = (1u << 30) - 1;

  struct Node {
    uint32_t parent;  // kEmpty for an outermost frame
    uint32_t frame;
  };

  // The id of `parent` with `frame` called from its innermost frame.
  uint32_t Intern(uint32_t parent, uint32_t frame);

  // The nodes added since the last take; nodes[i] has the id first + i.
  struct Taken {
    uint32_t first;
    std::vector<Node> nodes;
  };
  Taken Take();

 private:
  std::unordered_map<uint64_t, uint32_t> ids_;
  std::vector<Node> untaken_;  // the nodes with ids from first_untaken_ on
  uint32_t first_untaken_ = 0;
};

}  // namespace fiberscope
