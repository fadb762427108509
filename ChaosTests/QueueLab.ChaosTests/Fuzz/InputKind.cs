namespace QueueLab.ChaosTests.Fuzz;

/// <summary>The classes of input the fuzz suite mixes: valid messages and every class of hostile input the contract names.</summary>
public enum InputKind
{
    Valid,

    // A valid seq around a bad body: the message claims its seq and the seq is skipped.
    MissingPayload,
    NonStringPayload,
    LoneSurrogate,
    EscapedNul,
    PayloadTooLarge,
    BadCreatedAt,

    // No seq can be read: dead-lettered, nothing claimed (a later message with that seq fills it).
    NotUtf8,
    RawTab,
    RawNul,
    LeadingZero,
    NotANumber,
    Hex,
    DataAfterNul,
    DuplicateKeys,
    DeepNesting,
    Empty,
    Whitespace,
    Comment,
    TrailingComma,
    NotAnObject,
    MissingSeq,
    SeqAsFloat,
    SeqAsString,
    SeqTwoToThe53,
    SeqTwoToThe63,
    ZeroSeq,
    NegativeSeq,
    MessageTooLarge,
}
