namespace QueueLab.Rabbit;

/// <summary>AMQP topic matching: words separated by '.', '*' matches exactly one word, '#' zero or more.</summary>
public static class TopicPattern
{
    public static bool Matches(string pattern, string routingKey) =>
        Match(pattern.Split('.'), 0, routingKey.Split('.'), 0);

    private static bool Match(string[] pattern, int p, string[] key, int k)
    {
        while (true)
        {
            if (p == pattern.Length)
            {
                return k == key.Length;
            }

            if (pattern[p] == "#")
            {
                for (var skip = k; skip <= key.Length; skip++)
                {
                    if (Match(pattern, p + 1, key, skip))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (k == key.Length || (pattern[p] != "*" && pattern[p] != key[k]))
            {
                return false;
            }

            p++;
            k++;
        }
    }
}
