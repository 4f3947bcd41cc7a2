using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Waybill.Common;
using Waybill.Persistence;
using Xunit;

namespace Waybill.Tests.Conventions;

/// <summary>The conventions of ../shared/CONVENTIONS.md that a machine can check.</summary>
public sealed partial class ConventionTests
{
    private static readonly Assembly Core = typeof(WaybillDb).Assembly;

    /// <summary>Folders of the core that are shared by every capability rather than being one.</summary>
    private static readonly HashSet<string> Shared = ["Common", "Persistence"];

    [Fact]
    public void Time_comes_from_the_injected_clock_never_from_the_system_clock_directly()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => SystemClock().IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(src, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "Use TimeProvider instead:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void Capabilities_reach_each_other_only_through_public_types()
    {
        var violations = new List<string>();
        foreach (var type in Core.GetTypes().Where(t => CapabilityOf(t) is { } c && !Shared.Contains(c)))
        {
            foreach (var used in ReferencedTypes(type))
            {
                var other = CapabilityOf(used);
                if (other is not null && !Shared.Contains(other) && other != CapabilityOf(type) && !used.IsVisible)
                {
                    violations.Add($"{type.FullName} uses {used.FullName}, internal to {other}");
                }
            }
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void Domain_primitives_are_readonly_record_structs()
    {
        Type[] primitives = [typeof(CountryCode), typeof(Currency), typeof(Money), typeof(HsCode), typeof(EmailAddress), typeof(Locale), typeof(TimeZoneName), typeof(Weight)];

        foreach (var type in primitives)
        {
            Assert.True(type.IsValueType, $"{type.Name} is a struct");
            Assert.True(type.GetCustomAttribute<IsReadOnlyAttribute>() is not null, $"{type.Name} is readonly");
            Assert.True(type.GetMethod("<Clone>$") is null && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null, $"{type.Name} is a record");
        }
    }

    [Fact]
    public void Entities_have_no_public_setters()
    {
        Type[] entities = [typeof(Waybill.Orders.Order), typeof(Waybill.Orders.OrderLine), typeof(Waybill.Tenancy.Tenant)];

        var setters = entities.SelectMany(t => t.GetProperties().Where(p => p.SetMethod?.IsPublic == true).Select(p => $"{t.Name}.{p.Name}")).ToList();

        Assert.True(setters.Count == 0, "State changes go through the entity's methods: " + string.Join(", ", setters));
    }

    private static string? CapabilityOf(Type type)
    {
        if (type.Assembly != Core || type.Namespace is null || !type.Namespace.StartsWith("Waybill.", StringComparison.Ordinal))
        {
            return null;
        }
        return type.Namespace.Split('.')[1];
    }

    private static IEnumerable<Type> ReferencedTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        IEnumerable<Type> direct =
        [
            .. type.BaseType is null ? [] : new[] { type.BaseType },
            .. type.GetFields(all).Select(f => f.FieldType),
            .. type.GetProperties(all).Select(p => p.PropertyType),
            .. type.GetMethods(all).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)),
            .. type.GetConstructors(all).SelectMany(c => c.GetParameters().Select(p => p.ParameterType)),
        ];
        return direct.SelectMany(Unwrap).Distinct();
    }

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            return Unwrap(type.GetElementType()!);
        }
        return type.IsGenericType ? type.GetGenericArguments().SelectMany(Unwrap).Append(type.GetGenericTypeDefinition()) : [type];
    }

    private static string RepositoryRoot() => Waybill.Tests.Support.Repository.Root();

    [GeneratedRegex(@"\b(DateTime|DateTimeOffset)\.(Now|UtcNow|Today)\b")]
    private static partial Regex SystemClock();
}
