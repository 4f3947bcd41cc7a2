namespace Waybill.Common;

/// <summary>What kind of failure an <see cref="Error"/> is; the HTTP layer maps each to one status code.</summary>
public enum ErrorKind
{
    Validation,
    NotFound,
    Conflict,
    Unprocessable,
}

/// <summary>An expected failure: a stable machine code, a sentence for people, and per-field reasons.</summary>
public sealed record Error(ErrorKind Kind, string Code, string Message, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    /// <summary>Structured detail when a field map does not fit (the bad rows of a CSV file, the candidates of a lookup).</summary>
    public object? Details { get; init; }

    public static Error NotFound(string code, string message) => new(ErrorKind.NotFound, code, message);

    public static Error Conflict(string code, string message) => new(ErrorKind.Conflict, code, message);

    public static Error Validation(string code, string message, IReadOnlyDictionary<string, string[]> errors) =>
        new(ErrorKind.Validation, code, message, errors);
}

/// <summary>A value or the expected failure that prevented it.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, Error? error)
    {
        _value = value;
        Error = error;
    }

    public Error? Error { get; }

    public bool IsSuccess => Error is null;

    public T Value => Error is null ? _value! : throw new InvalidOperationException($"Result holds error {Error.Code}");

    public static Result<T> Success(T value) => new(value, null);

    public static Result<T> Failure(Error error) => new(default, error);

#pragma warning disable CA2225 // implicit conversions are the point of a result type
    public static implicit operator Result<T>(T value) => Success(value);

    public static implicit operator Result<T>(Error error) => Failure(error);
#pragma warning restore CA2225
}
