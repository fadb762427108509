using System.Security.Cryptography;

namespace QueueLab.Ordering.Parsing;

/// <summary>
/// The identity of a raw input message: the lowercase hex SHA-1 of its exact bytes, as Redis's <c>redis.sha1hex</c>
/// computes it, so .NET and the Lua scripts name a message the same way. Two byte-identical messages share it.
/// </summary>
public static class MessageFingerprint
{
    public const int Length = 40;

    public static string Of(ReadOnlySpan<byte> raw) => Convert.ToHexStringLower(SHA1.HashData(raw));
}
