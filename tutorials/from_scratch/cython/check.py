import adder

result = adder.add(2, 3)
assert result == 5, result
print(f"adder.add(2, 3) = {result}")
