namespace Waybill.Tracking.Detection;

/// <summary>
/// The check-digit algorithms that the courier data names, as <c>data/carriers/CHECKSUM_ALGORITHMS.md</c> defines
/// them (the reference implementation is jkeen/tracking_number, Ruby), plus <c>luhn</c>, the standard Luhn algorithm
/// (ISO/IEC 7812-1 Annex B). Each takes the serial and the check digit as they were captured, whitespace removed.
/// </summary>
internal static class CheckDigits
{
    private static readonly int[] S10DefaultWeights = [8, 6, 4, 2, 3, 5, 9, 7];

    /// <summary><c>mod7</c>: the serial read as a number, modulo 7, is the check digit.</summary>
    public static bool Mod7(ReadOnlySpan<char> serial, ReadOnlySpan<char> checkDigit)
    {
        if (serial.IsEmpty || !TryDigit(checkDigit, out var expected))
        {
            return false;
        }
        var remainder = 0;
        foreach (var c in serial)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            remainder = ((remainder * 10) + (c - '0')) % 7;
        }
        return remainder == expected;
    }

    /// <summary>
    /// <c>mod10</c>: each character's value (a digit, or a letter's code point minus 3, modulo 10) is multiplied by
    /// <paramref name="oddsMultiplier"/> at odd positions (0-based) or else <paramref name="evensMultiplier"/> at even
    /// ones, optionally reading the serial backwards; the check digit brings the sum to a multiple of 10.
    /// </summary>
    public static bool Mod10(ReadOnlySpan<char> serial, ReadOnlySpan<char> checkDigit, int? evensMultiplier, int? oddsMultiplier, bool reverse)
    {
        if (!TryDigit(checkDigit, out var expected))
        {
            return false;
        }
        var total = 0;
        for (var i = 0; i < serial.Length; i++)
        {
            var c = reverse ? serial[serial.Length - 1 - i] : serial[i];
            var x = char.IsAsciiDigit(c) ? c - '0' : (c - 3) % 10;
            if (oddsMultiplier is { } odds && i % 2 == 1)
            {
                x *= odds;
            }
            else if (evensMultiplier is { } evens && i % 2 == 0)
            {
                x *= evens;
            }
            total += x;
        }
        var check = total % 10;
        return (check == 0 ? 0 : 10 - check) == expected;
    }

    /// <summary>
    /// <c>s10</c> (UPU S10, 2.2): weights 8, 6, 4, 2, 3, 5, 9, 7 over the 8-digit serial; c = 11 - (sum mod 11),
    /// where 10 becomes 0 and 11 becomes 5.
    /// </summary>
    public static bool S10(ReadOnlySpan<char> serial, ReadOnlySpan<char> checkDigit, ReadOnlySpan<int> weights = default)
    {
        if (weights.IsEmpty)
        {
            weights = S10DefaultWeights;
        }
        if (serial.Length != weights.Length || !TryDigit(checkDigit, out var expected))
        {
            return false;
        }
        var total = 0;
        for (var i = 0; i < serial.Length; i++)
        {
            if (!char.IsAsciiDigit(serial[i]))
            {
                return false;
            }
            total += (serial[i] - '0') * weights[i];
        }
        var check = (total % 11) switch
        {
            0 => 5,
            1 => 0,
            var remainder => 11 - remainder,
        };
        return check == expected;
    }

    /// <summary>
    /// <c>sum_product_with_weightings_and_modulo</c>: the sum of each digit times its weight, modulo
    /// <paramref name="modulo1"/> then modulo <paramref name="modulo2"/>, is the check digit. A serial longer than
    /// its weights does not validate (the reference implementation fails on it).
    /// </summary>
    public static bool SumProductWithWeightingsAndModulo(ReadOnlySpan<char> serial, ReadOnlySpan<char> checkDigit, ReadOnlySpan<int> weights, int modulo1, int modulo2)
    {
        if (serial.Length > weights.Length || !TryDigit(checkDigit, out var expected))
        {
            return false;
        }
        var total = 0;
        for (var i = 0; i < serial.Length; i++)
        {
            // The reference reads a non-digit as 0 (Ruby's to_i).
            total += (char.IsAsciiDigit(serial[i]) ? serial[i] - '0' : 0) * weights[i];
        }
        return total % modulo1 % modulo2 == expected;
    }

    /// <summary>
    /// <c>mod_37_36</c>: ISO/IEC 7064 MOD 37,36 (hybrid), as DPD's parcel label specification 2.4.1 uses it; the check
    /// character is a digit or a capital letter.
    /// </summary>
    public static bool Mod37And36(ReadOnlySpan<char> serial, ReadOnlySpan<char> checkDigit, int modulo = 36, string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    {
        if (checkDigit.Length != 1 || serial.IsEmpty)
        {
            return false;
        }
        var cd = modulo;
        foreach (var c in serial)
        {
            var value = alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return false;
            }
            cd += value;
            if (cd > modulo)
            {
                cd -= modulo;
            }
            cd *= 2;
            if (cd > modulo)
            {
                cd -= modulo + 1;
            }
        }
        cd = modulo + 1 - cd;
        if (cd == modulo)
        {
            cd = 0;
        }
        return cd < alphabet.Length && alphabet[cd] == checkDigit[0];
    }

    /// <summary><c>luhn</c>: the standard Luhn algorithm over the serial followed by its check digit.</summary>
    public static bool Luhn(ReadOnlySpan<char> serial, ReadOnlySpan<char> checkDigit)
    {
        if (serial.IsEmpty || !TryDigit(checkDigit, out var expected))
        {
            return false;
        }
        var total = 0;
        var doubled = true; // the digit left of the check digit is doubled
        for (var i = serial.Length - 1; i >= 0; i--)
        {
            if (!char.IsAsciiDigit(serial[i]))
            {
                return false;
            }
            var d = serial[i] - '0';
            if (doubled)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }
            total += d;
            doubled = !doubled;
        }
        return (10 - (total % 10)) % 10 == expected;
    }

    private static bool TryDigit(ReadOnlySpan<char> text, out int digit)
    {
        if (text.Length == 1 && char.IsAsciiDigit(text[0]))
        {
            digit = text[0] - '0';
            return true;
        }
        digit = 0;
        return false;
    }
}
