/* Switches callgrind's instrumentation on and off from Python (loaded with ctypes.PyDLL).
 *
 * callgrind's client requests are inline-assembly macros, not functions, so Python needs
 * these two functions to issue them. Outside valgrind the requests do nothing.
 */
#include <valgrind/callgrind.h>

/* Counting starts here, from zero. */
void overhead_start(void) {
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
}

/* Writes what was counted since overhead_start as one dump labelled `label`, then stops. */
void overhead_stop(const char *label) {
    CALLGRIND_DUMP_STATS_AT(label);
    CALLGRIND_STOP_INSTRUMENTATION;
}
