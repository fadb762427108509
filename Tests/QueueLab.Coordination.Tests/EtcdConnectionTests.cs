using Shouldly;

namespace QueueLab.Coordination.Tests;

/// <summary>The etcd connection string: one client URL, or a cluster's, with the credentials in the first.</summary>
public sealed class EtcdConnectionTests
{
    [Fact]
    public void A_single_server_is_one_endpoint_with_its_credentials()
    {
        var connection = EtcdConnection.Parse("http://root:s3cret@127.0.0.1:12379");

        connection.Endpoints.ShouldBe([new Uri("http://127.0.0.1:12379/")]);
        connection.Address.ShouldBe("http://127.0.0.1:12379");
        (connection.UserName, connection.Password).ShouldBe(("root", "s3cret"));
        connection.ToString().ShouldBe("http://root@127.0.0.1:12379");
    }

    [Fact]
    public void A_cluster_lists_every_member_and_the_client_takes_them_all()
    {
        var connection = EtcdConnection.Parse("http://root:s3cret@127.0.0.1:12379, http://127.0.0.1:12389,http://127.0.0.1:12399");

        connection.Endpoint.ShouldBe(new Uri("http://127.0.0.1:12379/"));
        connection.Address.ShouldBe("http://127.0.0.1:12379,http://127.0.0.1:12389,http://127.0.0.1:12399");
        connection.ToString().ShouldBe("http://root@127.0.0.1:12379,http://127.0.0.1:12389,http://127.0.0.1:12399");
        connection.ToString().ShouldNotContain("s3cret");

        var members = connection.Members();
        members.Select(m => m.Address).ShouldBe(["http://127.0.0.1:12379", "http://127.0.0.1:12389", "http://127.0.0.1:12399"]);
        members.ShouldAllBe(m => m.UserName == "root" && m.Password == "s3cret");
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1:2379")]
    [InlineData("http://root:pw@127.0.0.1:1,tcp://127.0.0.1:2")]
    [InlineData("http://root@127.0.0.1:1")]
    public void A_malformed_string_is_refused_with_its_shape(string text) =>
        Should.Throw<FormatException>(() => EtcdConnection.Parse(text)).Message.ShouldContain("http://");

    [Fact]
    public void Credentials_belong_in_the_first_url_only() =>
        Should.Throw<FormatException>(() => EtcdConnection.Parse("http://127.0.0.1:1,http://root:pw@127.0.0.1:2")).Message.ShouldContain("first URL");
}
