namespace QueueLab.Verification;

/// <summary>What the output must preserve besides "everything exactly once".</summary>
public enum VerificationMode
{
    /// <summary>Pipeline B: the output must follow the input order exactly; out-of-order elements are reported.</summary>
    Ordered,

    /// <summary>Pipeline A: each id (for example a (message id, queue) pair) exactly once; order is irrelevant.</summary>
    Unordered,

    /// <summary>Pipeline B per key: each key's ids must come out in their input order; keys may interleave freely.</summary>
    OrderedPerKey,
}
