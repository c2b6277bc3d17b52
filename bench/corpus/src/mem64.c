/* mem64: memory traffic through 64-bit pointers, built with --target=wasm64
 * (memory64: every address is an i64). Per rep: a byte sieve over 256 KiB
 * (i64-addressed load8/store8), a pass of u32 prefix sums over 64 Ki words
 * (load32/store32), and a walk of a linked list of 16 Ki nodes whose next
 * pointers are i64 loads. The same source builds for wasm32, so the two
 * builds compare 64-bit with 32-bit addressing.
 * run(reps) returns a 32-bit checksum of all three. */
#include "kernel.h"

#define SIEVE (1u << 18)
#define WORDS (1u << 16)
#define NODES (1u << 14)

static u8 flags[SIEVE + 1];
static u32 words[WORDS];

struct node {
  struct node *next;
  u32 value;
};
static struct node nodes[NODES];

EXPORT u32 run(u32 reps) {
  /* a linked list in a scrambled order (a full-period LCG over the nodes) */
  u32 at = 0;
  for (u32 i = 0; i < NODES; i++) {
    u32 next = (at * 5u + 1u) & (NODES - 1);
    nodes[at].next = &nodes[next];
    nodes[at].value = i * 2654435761u;
    at = next;
  }
  for (u32 i = 0; i < WORDS; i++) words[i] = i ^ 0x5bd1e995u;
  u32 sum = 0;
  for (u32 r = 0; r < reps; r++) {
    u32 limit = SIEVE - (r & 15);
    for (u32 i = 0; i <= limit; i++) flags[i] = 1;
    flags[0] = flags[1] = 0;
    for (u32 i = 2; i * i <= limit; i++)
      if (flags[i])
        for (u32 j = i * i; j <= limit; j += i) flags[j] = 0;
    for (u32 i = 0; i <= limit; i++) sum += flags[i];
    u32 acc = r;
    for (u32 i = 0; i < WORDS; i++) {
      acc += words[i];
      words[i] = acc;
    }
    const struct node *p = &nodes[r & (NODES - 1)];
    for (u32 i = 0; i < NODES; i++) {
      sum ^= p->value + i;
      p = p->next;
    }
    sum += acc;
  }
  return sum;
}

KERNEL_MAIN(10)
