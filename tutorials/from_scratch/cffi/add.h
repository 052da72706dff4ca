#include <stdint.h>

int64_t add(int64_t a, int64_t b);
