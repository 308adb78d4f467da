#!/usr/bin/ruby
# SPDX-License-Identifier: MIT
# Ruby fiddle: a closure (Fiddle::Closure::BlockCaller) called through
# Fiddle::Function and by libc's qsort.
require 'fiddle'

want = ENV.fetch('TFFI_PROVIDER', '1') == '1'
loaded = File.read('/proc/self/maps').include?('libtrampfd-ffi')
abort("libtrampfd-ffi is #{want ? 'not ' : ''}loaded") if loaded != want

calls = 0
add = Fiddle::Closure::BlockCaller.new(Fiddle::TYPE_INT, [Fiddle::TYPE_INT, Fiddle::TYPE_INT]) do |a, b|
  calls += 1
  a * 10 + b
end
r = Fiddle::Function.new(add, [Fiddle::TYPE_INT, Fiddle::TYPE_INT], Fiddle::TYPE_INT).call(4, 2)
abort("closure returned #{r}") unless r == 42 && calls == 1

cmp = Fiddle::Closure::BlockCaller.new(Fiddle::TYPE_INT, [Fiddle::TYPE_VOIDP, Fiddle::TYPE_VOIDP]) do |a, b|
  a[0, 4].unpack1('l') <=> b[0, 4].unpack1('l')
end
buf = Fiddle::Pointer[[5, 3, 9, 1].pack('l*')]
qsort = Fiddle::Function.new(Fiddle::Handle::DEFAULT['qsort'],
                             [Fiddle::TYPE_VOIDP, Fiddle::TYPE_SIZE_T, Fiddle::TYPE_SIZE_T, Fiddle::TYPE_VOIDP],
                             Fiddle::TYPE_VOID)
qsort.call(buf, 4, 4, cmp)
sorted = buf[0, 16].unpack('l*')
abort("qsort through the closure: #{sorted}") unless sorted == [1, 3, 5, 9]
puts 'trampfd-test: done'
