package io.resh.examples.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A decoded reply of {@link KvStore}; {@link KvRequests#decodeReply} makes one from the reply bytes.
 * Errors are not replies: resh delivers them to the client as error responses.
 */
public sealed interface KvReply {

    /** The write was applied. */
    Ok OK = new Ok();

    /** No such key. */
    Nil NIL = new Nil();

    /** The write was applied ({@code SET}). */
    record Ok() implements KvReply {
        @Override
        public String toString() {
            return "OK";
        }
    }

    /** No such key ({@code GET}, {@code TOUCH}, {@code MTIME} of an absent key). */
    record Nil() implements KvReply {
        @Override
        public String toString() {
            return "(nil)";
        }
    }

    /** A stored value ({@code GET}). */
    record Value(byte[] bytes) implements KvReply {
        public Value {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** The value read as UTF-8 text. */
        public String utf8() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Value v && Arrays.equals(bytes, v.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return bytes.length <= 64 ? "Value[" + HexFormat.of().formatHex(bytes) + "]"
                    : "Value[" + bytes.length + " bytes]";
        }
    }

    /** A number: a counter ({@code INCR}), a count ({@code DEL}, {@code SIZE}), a flag ({@code CAS}), a time. */
    record Int(long value) implements KvReply {
        @Override
        public String toString() {
            return "(integer) " + value;
        }
    }
}
