package io.resh.replica;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Flips one bit somewhere in a live object graph: the software analogue of a single-event upset in
 * memory. It walks everything reachable from the service object and picks, uniformly over bits, a
 * primitive array element anywhere in the graph or a primitive field of an application class.
 *
 * <p>Primitive fields of JDK classes (hash caches, mod counts, sizes) are left alone: flipping them
 * tends to break the collection's invariants rather than the data, which models a different fault.
 * Reaching JDK internals needs {@code --add-opens}; the host starts replicas with it, and anything that
 * stays inaccessible is skipped.
 */
final class StateCorruptor {
    private static final int MAX_OBJECTS = 1_000_000;

    /** How {@link #flipRandomBit}'s answer starts when it flipped nothing. */
    static final String NOTHING_TO_FLIP = "no primitive state reachable from ";
    /** How {@link #flipRandomBit}'s answer starts when the chosen bit could not be written (a final field). */
    static final String FLIP_FAILED = "flip failed at ";

    private StateCorruptor() {
    }

    /** One place a bit can be flipped. */
    private record Target(Object owner, Field field, int arrayLength, long bits, String path) {
    }

    /**
     * Flips one bit chosen by {@code seed}.
     *
     * @return a description of what was flipped (path, index, bit, old and new value), or a note that
     *     the graph held no primitive data
     */
    static String flipRandomBit(Object root, long seed) {
        List<Target> targets = new ArrayList<>();
        long totalBits = collect(root, targets);
        if (totalBits == 0) {
            return NOTHING_TO_FLIP + root.getClass().getName();
        }
        SplittableRandom random = new SplittableRandom(seed);
        long pick = random.nextLong(totalBits);
        for (Target t : targets) {
            if (pick < t.bits()) {
                return flip(t, pick);
            }
            pick -= t.bits();
        }
        throw new IllegalStateException("bit index beyond the collected targets");
    }

    private static long collect(Object root, List<Target> targets) {
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> queue = new ArrayDeque<>();
        queue.add(new Object[] {root, root.getClass().getSimpleName()});
        seen.put(root, Boolean.TRUE);
        long total = 0;
        while (!queue.isEmpty() && seen.size() < MAX_OBJECTS) {
            Object[] item = queue.poll();
            Object obj = item[0];
            String path = (String) item[1];
            Class<?> type = obj.getClass();
            if (type.isArray()) {
                Class<?> component = type.getComponentType();
                int length = Array.getLength(obj);
                if (component.isPrimitive()) {
                    if (length > 0) {
                        long bits = (long) length * bitsOf(component);
                        targets.add(new Target(obj, null, length, bits, path));
                        total += bits;
                    }
                } else {
                    for (int i = 0; i < length; i++) {
                        Object child = Array.get(obj, i);
                        enqueue(child, path + "[" + i + "]", seen, queue);
                    }
                }
                continue;
            }
            if (!traversable(type)) {
                continue;
            }
            boolean application = !isJdk(type);
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    // Record components are final and Field.set refuses them: flipping there would silently do nothing.
                    if (Modifier.isStatic(f.getModifiers()) || (c.isRecord() && f.getType().isPrimitive())) {
                        continue;
                    }
                    try {
                        f.setAccessible(true);
                    } catch (RuntimeException inaccessible) {
                        continue;
                    }
                    try {
                        if (f.getType().isPrimitive()) {
                            if (application && f.getType() != boolean.class) {
                                long bits = bitsOf(f.getType());
                                targets.add(new Target(obj, f, -1, bits, path + "." + f.getName()));
                                total += bits;
                            }
                        } else {
                            enqueue(f.get(obj), path + "." + f.getName(), seen, queue);
                        }
                    } catch (IllegalAccessException e) {
                        // skipped: not reachable in this runtime
                    }
                }
            }
        }
        return total;
    }

    private static void enqueue(Object child, String path, Map<Object, Boolean> seen, ArrayDeque<Object[]> queue) {
        if (child != null && seen.put(child, Boolean.TRUE) == null) {
            queue.add(new Object[] {child, path});
        }
    }

    private static boolean traversable(Class<?> type) {
        return !(Class.class == type || ClassLoader.class.isAssignableFrom(type) || Thread.class.isAssignableFrom(type)
                || type.getName().startsWith("java.lang.invoke.") || type.getName().startsWith("java.lang.reflect.")
                || type.getName().startsWith("jdk.internal.") || type.getName().startsWith("sun."));
    }

    private static boolean isJdk(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        return loader == null || loader == ClassLoader.getPlatformClassLoader();
    }

    private static int bitsOf(Class<?> primitive) {
        if (primitive == long.class || primitive == double.class) {
            return 64;
        }
        if (primitive == int.class || primitive == float.class) {
            return 32;
        }
        if (primitive == short.class || primitive == char.class) {
            return 16;
        }
        if (primitive == boolean.class) {
            return 1;
        }
        return 8;
    }

    private static String flip(Target t, long bitIndex) {
        try {
            if (t.field() == null) {
                Object array = t.owner();
                int width = bitsOf(array.getClass().getComponentType());
                int index = (int) (bitIndex / width);
                int bit = (int) (bitIndex % width);
                String before = String.valueOf(Array.get(array, index));
                flipArray(array, index, bit);
                return t.path() + "[" + index + "] bit " + bit + ": " + before + " -> " + Array.get(array, index);
            }
            Field f = t.field();
            int bit = (int) bitIndex;
            Object owner = t.owner();
            String before = String.valueOf(f.get(owner));
            Class<?> p = f.getType();
            if (p == long.class) {
                f.setLong(owner, f.getLong(owner) ^ (1L << bit));
            } else if (p == int.class) {
                f.setInt(owner, f.getInt(owner) ^ (1 << bit));
            } else if (p == short.class) {
                f.setShort(owner, (short) (f.getShort(owner) ^ (1 << bit)));
            } else if (p == char.class) {
                f.setChar(owner, (char) (f.getChar(owner) ^ (1 << bit)));
            } else if (p == byte.class) {
                f.setByte(owner, (byte) (f.getByte(owner) ^ (1 << bit)));
            } else if (p == double.class) {
                f.setDouble(owner, Double.longBitsToDouble(Double.doubleToRawLongBits(f.getDouble(owner)) ^ (1L << bit)));
            } else if (p == float.class) {
                f.setFloat(owner, Float.intBitsToFloat(Float.floatToRawIntBits(f.getFloat(owner)) ^ (1 << bit)));
            }
            return t.path() + " bit " + bit + ": " + before + " -> " + f.get(owner);
        } catch (IllegalAccessException e) {
            return FLIP_FAILED + t.path() + ": " + e.getMessage();
        }
    }

    private static void flipArray(Object array, int i, int bit) {
        if (array instanceof byte[] a) {
            a[i] ^= (byte) (1 << bit);
        } else if (array instanceof int[] a) {
            a[i] ^= 1 << bit;
        } else if (array instanceof long[] a) {
            a[i] ^= 1L << bit;
        } else if (array instanceof short[] a) {
            a[i] ^= (short) (1 << bit);
        } else if (array instanceof char[] a) {
            a[i] ^= (char) (1 << bit);
        } else if (array instanceof boolean[] a) {
            a[i] = !a[i];
        } else if (array instanceof float[] a) {
            a[i] = Float.intBitsToFloat(Float.floatToRawIntBits(a[i]) ^ (1 << bit));
        } else if (array instanceof double[] a) {
            a[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(a[i]) ^ (1L << bit));
        }
    }
}
