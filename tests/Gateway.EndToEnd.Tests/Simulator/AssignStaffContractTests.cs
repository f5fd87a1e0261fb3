using Libromi.Gateway.EndToEnd.Fixtures;
using static Libromi.Gateway.EndToEnd.Simulator.ContractAssert;

namespace Libromi.Gateway.EndToEnd.Simulator;

/// <summary><c>PUT /conversation/assign-staff</c>: lower-case status words, Laravel's 422, and the three 404s.</summary>
public sealed class AssignStaffContractTests
{
    [Fact]
    public async Task Assigning_staff_answers_lower_case_success_with_the_conversation()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using (var created = await simulator.Client.GetAsync(ContactPath("1234567890")))
        {
            await StatusAndJsonAsync(created, 200);
        }

        using var response = await simulator.Client.PutAsync(AssignStaffPath, Assignment("+1 (234) 567-890", SimulatorFixture.StaffEmail));

        var body = await StatusAndJsonAsync(response, 200);
        HasExactlyProperties(body, "status", "message", "conversation");
        Assert.Equal("success", body.GetProperty("status").GetString());
        var conversation = body.GetProperty("conversation");
        HasExactlyProperties(conversation, "id", "contact", "assigned_staff", "assigned_at");
        Assert.Equal("1234567890", conversation.GetProperty("contact").GetProperty("phone_number").GetString());
        var staff = conversation.GetProperty("assigned_staff");
        HasExactlyProperties(staff, "id", "name", "email");
        Assert.Equal(SimulatorFixture.StaffEmail, staff.GetProperty("email").GetString());
        Assert.True(DateTimeOffset.TryParse(conversation.GetProperty("assigned_at").GetString(), out _));
    }

    [Fact]
    public async Task The_assignment_shows_on_the_contact_and_in_the_inspection_api()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using (var created = await simulator.Client.GetAsync(ContactPath("1234567890")))
        {
            await StatusAndJsonAsync(created, 200);
        }

        using (var assigned = await simulator.Client.PutAsync(AssignStaffPath, Assignment("1234567890", SimulatorFixture.StaffEmail)))
        {
            await StatusAndJsonAsync(assigned, 200);
        }

        using var response = await simulator.Client.GetAsync(ContactPath("1234567890"));
        var conversation = Assert.Single((await StatusAndJsonAsync(response, 200)).GetProperty("contact").GetProperty("conversations").EnumerateArray());
        Assert.Equal(SimulatorFixture.StaffEmail, conversation.GetProperty("assigned_staff").GetProperty("email").GetString());
        Assert.Equal(SimulatorFixture.StaffEmail, (await simulator.Inspector.GetContactAsync("1234567890"))!.AssignedStaff);
    }

    [Fact]
    public async Task Missing_fields_are_refused_with_422_and_no_status_word()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.PutAsync(AssignStaffPath, Json("{}"));

        var body = await StatusAndJsonAsync(response, 422);
        HasExactlyProperties(body, "message", "errors");
        Assert.Equal("The given data was invalid.", body.GetProperty("message").GetString());
        HasExactlyProperties(body.GetProperty("errors"), "phone_number", "username");
    }

    [Fact]
    public async Task A_non_string_username_is_refused_with_422_for_that_field_only()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.PutAsync(AssignStaffPath, Json("""{"phone_number": "1234567890", "username": 7}"""));

        HasExactlyProperties((await StatusAndJsonAsync(response, 422)).GetProperty("errors"), "username");
    }

    [Fact]
    public async Task An_unknown_contact_is_404_contact_not_found_and_is_not_created()
    {
        await using var simulator = await SimulatorFixture.StartAsync();

        using var response = await simulator.Client.PutAsync(AssignStaffPath, Assignment("1234567890", SimulatorFixture.StaffEmail));

        var body = await StatusAndJsonAsync(response, 404);
        HasExactlyProperties(body, "status", "message");
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Equal("Contact not found", body.GetProperty("message").GetString());
        Assert.Null(await simulator.Inspector.GetContactAsync("1234567890"));
    }

    [Fact]
    public async Task An_unknown_staff_username_is_404_staff_not_found()
    {
        await using var simulator = await SimulatorFixture.StartAsync();
        using (var created = await simulator.Client.GetAsync(ContactPath("1234567890")))
        {
            await StatusAndJsonAsync(created, 200);
        }

        using var response = await simulator.Client.PutAsync(AssignStaffPath, Assignment("1234567890", "nobody@company.test"));

        var body = await StatusAndJsonAsync(response, 404);
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Equal("Staff not found", body.GetProperty("message").GetString());
        Assert.Null((await simulator.Inspector.GetContactAsync("1234567890"))!.AssignedStaff);
    }

    [Fact]
    public async Task A_contact_that_never_chatted_is_404_conversation_not_found_until_a_conversation_is_seeded()
    {
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator__AllContactsHaveConversations"] = "false",
        });
        using (var created = await simulator.Client.GetAsync(ContactPath("1234567890")))
        {
            var contact = (await StatusAndJsonAsync(created, 200)).GetProperty("contact");
            Assert.Empty(contact.GetProperty("conversations").EnumerateArray());
        }

        using var refused = await simulator.Client.PutAsync(AssignStaffPath, Assignment("1234567890", SimulatorFixture.StaffEmail));
        var body = await StatusAndJsonAsync(refused, 404);
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Equal("Conversation not found", body.GetProperty("message").GetString());

        Assert.True((await simulator.Inspector.SeedConversationAsync("1234567890")).HasConversation);
        using var accepted = await simulator.Client.PutAsync(AssignStaffPath, Assignment("1234567890", SimulatorFixture.StaffEmail));
        await StatusAndJsonAsync(accepted, 200);
    }

    [Fact]
    public async Task Configured_contacts_with_conversations_exist_from_the_start()
    {
        await using var simulator = await SimulatorFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator__AllContactsHaveConversations"] = "false",
            ["Simulator__ContactsWithConversations__0"] = "+44 7700 900123",
        });

        using var response = await simulator.Client.PutAsync(AssignStaffPath, Assignment("447700900123", SimulatorFixture.StaffEmail));

        await StatusAndJsonAsync(response, 200);
    }
}
