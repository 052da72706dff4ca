import adder

assert adder.add(2, 3) == 5
assert adder.add(-(2**63), 2**63 - 1) == -1
for bad, error in (((2**62, 2**62), OverflowError), ((1.5, 2), TypeError)):
    try:
        adder.add(*bad)
    except error:
        pass
    else:
        raise AssertionError(f"add{bad} did not raise {error.__name__}")
print("adder.add(2, 3) =", adder.add(2, 3))
