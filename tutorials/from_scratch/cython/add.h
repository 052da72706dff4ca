#ifndef ADD_H
#define ADD_H

long add(long a, long b);

#endif
