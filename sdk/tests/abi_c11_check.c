/* abi_c11_check.c — proves jobengine/abi.h compiles as strict C11 (-std=c11 -pedantic -Wall
 * -Wextra -Werror) and prints the layout a C compiler gives every ABI struct, one line each:
 *   S <type> <sizeof>        F <type> <field> <offsetof>
 * abi_layout_test.cpp runs this program and compares its output with the C++ layout. */
#include <stddef.h>
#include <stdio.h>

#include "jobengine/abi.h"

int main(void) {
#define JE_LAYOUT_STRUCT(type, size) printf("S %s %zu\n", #type, sizeof(type));
#define JE_LAYOUT_FIELD(type, field, offset) \
  printf("F %s %s %zu\n", #type, #field, offsetof(type, field));
#include "abi_layout.def"
#undef JE_LAYOUT_STRUCT
#undef JE_LAYOUT_FIELD
  return 0;
}
