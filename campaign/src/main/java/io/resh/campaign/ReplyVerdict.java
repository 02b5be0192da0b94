package io.resh.campaign;

/** How one reply the client got compares with the golden run's reply to the same request. */
public enum ReplyVerdict {
    /** The same bytes (or the same service error) as the golden run. */
    CORRECT,
    /** A value or service error that the golden run did not give: silent data corruption. */
    WRONG,
    /** A fail-stop error: the group refused to answer rather than answer unvoted. */
    FAIL_STOP,
    /** No voted answer within the timeout, or another failure. */
    UNAVAILABLE
}
