using Microsoft.EntityFrameworkCore;

namespace Samples.Crm.Data;

/// <summary>The CRM's own data, in its own SQLite file: nothing here is shared with the identity provider.</summary>
public sealed class CrmDbContext(DbContextOptions<CrmDbContext> options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();

    public DbSet<Contact> Contacts => Set<Contact>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Account>().HasData(
            new Account { Id = 1, Name = "Contoso", Industry = "Logistics", City = "Lisbon" },
            new Account { Id = 2, Name = "Fabrikam", Industry = "Manufacturing", City = "Porto" },
            new Account { Id = 3, Name = "Northwind Traders", Industry = "Wholesale", City = "Seattle" });
        modelBuilder.Entity<Contact>().HasData(
            new Contact { Id = 1, AccountId = 1, Name = "Ana Costa", Email = "ana.costa@contoso.example", Phone = "+351 21 000 0001" },
            new Contact { Id = 2, AccountId = 1, Name = "Rui Almeida", Email = "rui.almeida@contoso.example", Phone = "+351 21 000 0002" },
            new Contact { Id = 3, AccountId = 2, Name = "Marta Silva", Email = "marta.silva@fabrikam.example", Phone = "+351 22 000 0003" },
            new Contact { Id = 4, AccountId = 3, Name = "Sam Lee", Email = "sam.lee@northwind.example", Phone = "+1 206 000 0004" });
    }
}

public sealed class Account
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public required string Industry { get; set; }

    public required string City { get; set; }

    public List<Contact> Contacts { get; set; } = [];
}

public sealed class Contact
{
    public int Id { get; set; }

    public int AccountId { get; set; }

    public Account? Account { get; set; }

    public required string Name { get; set; }

    public required string Email { get; set; }

    public required string Phone { get; set; }
}
