package io.resh.admin;

/**
 * One server-sent event: {@code event: name} and one line of JSON data.
 *
 * @param name SSE event name: {@code group-event} or {@code sample}
 * @param group the group it concerns, for subscribers that filter
 * @param type a group event's type, for subscribers that filter; null for a sample
 * @param json the payload, one line
 */
record StreamMessage(String name, String group, String type, String json) {
    static final String GROUP_EVENT = "group-event";
    static final String SAMPLE = "sample";

    /** The message in SSE wire format, ending with the blank line that dispatches it. */
    String wire() {
        return "event: " + name + "\ndata: " + json + "\n\n";
    }
}
