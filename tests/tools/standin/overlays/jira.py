"""Jira: `PUT /rest/api/3/issue/{issueIdOrKey}/assignee` unassigns the issue when `accountId` is
null (Jira's reference for "Assign issue": "If accountId is set to null, the issue is set to
unassigned"), but the description's `User.accountId` is a string that may not be null. The
operation gets a copy of `User` whose `accountId` is nullable; every other use of `User` keeps
the description's."""

import copy


def apply(document):
    user = copy.deepcopy(document["components"]["schemas"]["User"])
    user["properties"]["accountId"] = dict(user["properties"]["accountId"], nullable=True)
    document["components"]["schemas"]["AssigneeUser"] = user
    operation = document["paths"]["/rest/api/3/issue/{issueIdOrKey}/assignee"]["put"]
    operation["requestBody"]["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/AssigneeUser"}
