import adder

assert adder.add(2, 3) == 5
print("adder.add(2, 3) =", adder.add(2, 3))
