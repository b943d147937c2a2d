//! The GraphQL check of the validating stand-in (graphql-core), on Linear's schema, ahead of the
//! GraphQL providers (Linear, Monday, Shopify): a valid document with valid variables is accepted
//! and reaches its operation; an unknown field, variables of the wrong type, a missing required
//! input field and a GET are refused.

use actionhost_e2e::validating::LINEAR;

use super::{Refused, assert_accepted, assert_refused};

const CREATE: &str = "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier } } }";

fn body(query: &str, variables: serde_json::Value) -> String {
    serde_json::json!({"query": query, "variables": variables}).to_string()
}

#[tokio::test]
async fn linears_schema_accepts_a_valid_mutation() {
    let valid = body(
        CREATE,
        serde_json::json!({"input": {"teamId": "team-1", "title": "Crash on start", "priority": 2}}),
    );
    assert_accepted(
        &LINEAR,
        "graphql_accepted",
        (
            "POST",
            "/graphql",
            &[("content-type", "application/json")],
            &valid,
        ),
        "mutation IssueCreate",
    )
    .await;
}

#[tokio::test]
async fn linears_schema_refuses_what_linear_would() {
    let unknown_field = body("query Me { viewer { id nickname } }", serde_json::json!({}));
    let wrong_type = body(
        CREATE,
        serde_json::json!({"input": {"teamId": "team-1", "priority": "urgent"}}),
    );
    let missing_team = body(CREATE, serde_json::json!({"input": {"title": "No team"}}));
    let json = [("content-type", "application/json")];
    assert_refused(
        &LINEAR,
        "graphql_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/graphql",
                headers: &json,
                body: &unknown_field,
                because: "Cannot query field 'nickname'",
            },
            Refused {
                method: "POST",
                path_and_query: "/graphql",
                headers: &json,
                body: &wrong_type,
                because: "invalid variables",
            },
            Refused {
                method: "POST",
                path_and_query: "/graphql",
                headers: &json,
                body: &missing_team,
                because: "teamId",
            },
            Refused {
                method: "GET",
                path_and_query: "/graphql?query=%7Bviewer%7Bid%7D%7D",
                headers: &[],
                body: "",
                because: "a GraphQL request is a POST",
            },
        ],
    )
    .await;
}
