package rest

import "net/http"

// CreateOrganization is POST /api/v1/organizations/.
func (v V1) CreateOrganization() http.Handler { return notYet() }

// ListOrganizations is GET /api/v1/organizations/.
func (v V1) ListOrganizations() http.Handler { return notYet() }

// GetOrganization is GET /api/v1/organizations/{organization_id}.
func (v V1) GetOrganization() http.Handler { return notYet() }

// UpdateOrganization is PUT /api/v1/organizations/{organization_id}.
func (v V1) UpdateOrganization() http.Handler { return notYet() }

// DeleteOrganization is DELETE /api/v1/organizations/{organization_id}.
func (v V1) DeleteOrganization() http.Handler { return notYet() }

// ListMembers is GET /api/v1/organizations/{organization_id}/members.
func (v V1) ListMembers() http.Handler { return notYet() }

// AddMember is POST /api/v1/organizations/{organization_id}/members.
func (v V1) AddMember() http.Handler { return notYet() }

// RemoveMember is DELETE /api/v1/organizations/{organization_id}/members/{user_id}.
func (v V1) RemoveMember() http.Handler { return notYet() }

// MigrateResources is POST /api/v1/organizations/{organization_id}/migrate-resources.
func (v V1) MigrateResources() http.Handler { return notYet() }
