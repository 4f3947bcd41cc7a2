namespace Waybill.Common;

/// <summary>The page and page size of every list endpoint: page from 1, size 1 to 500, 50 by default.</summary>
public static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>Checks the paging parameters into <paramref name="errors"/>; returns the values to use.</summary>
    public static (int Page, int PageSize) Check(int? page, int? pageSize, ValidationErrors errors)
    {
        var p = page ?? 1;
        var size = pageSize ?? DefaultPageSize;
        if (p < 1)
        {
            errors.Add("page", "The page starts at 1.");
        }
        if (size is < 1 or > MaxPageSize)
        {
            errors.Add("pageSize", $"The page size is 1 to {MaxPageSize}.");
        }
        else if (p >= 1 && (long)(p - 1) * size > int.MaxValue)
        {
            errors.Add("page", "The page is beyond any list.");
        }
        return (p, size);
    }
}
